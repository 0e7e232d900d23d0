# The classic secure-MLflow stack on AWS, with Sextant in place of the MLflow server and its
# oauth2-proxy sidecar: ALB (TLS) -> ECS Fargate tasks (one container) -> Aurora Serverless v2
# and S3, secrets from Secrets Manager. See docs/deploy-aws.md.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  tags = merge(var.tags, { "app" = "sextant", "stack" = var.name })

  create_vpc         = var.vpc_id == ""
  azs                = length(var.availability_zones) > 0 ? var.availability_zones : slice(data.aws_availability_zones.available.names, 0, 2)
  vpc_id             = local.create_vpc ? aws_vpc.this[0].id : var.vpc_id
  vpc_cidr           = local.create_vpc ? aws_vpc.this[0].cidr_block : data.aws_vpc.existing[0].cidr_block
  public_subnet_ids  = local.create_vpc ? aws_subnet.public[*].id : var.public_subnet_ids
  private_subnet_ids = local.create_vpc ? aws_subnet.private[*].id : var.private_subnet_ids

  bucket_name = var.artifact_bucket_name != "" ? var.artifact_bucket_name : "${var.name}-artifacts-${data.aws_caller_identity.current.account_id}"

  db_port    = var.database_engine == "postgresql" ? 5432 : 3306
  db_engine  = var.database_engine == "postgresql" ? "aurora-postgresql" : "aurora-mysql"
  db_version = var.database_engine_version != "" ? var.database_engine_version : (var.database_engine == "postgresql" ? "15.4" : "8.0.mysql_aurora.3.05.2")
  db_scheme  = var.database_engine == "postgresql" ? "postgresql" : "mysql"

  certificate_arn = var.certificate_arn != "" ? var.certificate_arn : aws_acm_certificate_validation.this[0].certificate_arn
  container_port  = 5000
}

data "aws_vpc" "existing" {
  count = local.create_vpc ? 0 : 1
  id    = var.vpc_id
}
