output "url" {
  description = "The server's URL (MLFLOW_TRACKING_URI)."
  value       = "https://${var.domain_name}"
}

output "redirect_url" {
  description = "The callback URL to register at the identity provider."
  value       = "https://${var.domain_name}/auth/callback"
}

output "artifact_bucket" {
  description = "The S3 artifact bucket."
  value       = aws_s3_bucket.artifacts.bucket
}

output "database_endpoint" {
  description = "The Aurora writer endpoint."
  value       = aws_rds_cluster.this.endpoint
}

output "admin_bootstrap_secret_arn" {
  description = "Secrets Manager secret with the first administrator's admin:password."
  value       = aws_secretsmanager_secret.admin_bootstrap.arn
}

output "ecs_cluster" {
  description = "The ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "ecs_service" {
  description = "The ECS service name."
  value       = aws_ecs_service.this.name
}

output "log_group" {
  description = "The CloudWatch log group of the server."
  value       = aws_cloudwatch_log_group.this.name
}
