# One container per task: Sextant itself (no oauth2-proxy sidecar). Settings are SEXTANT_*
# environment variables; secrets come from Secrets Manager. Read-only root file system, non-root
# user, a writable /tmp only.

locals {
  db_uri_query = var.database_engine == "postgresql" ? "?sslmode=require" : "?charset=utf8mb4"

  environment = { for k, v in merge({
    SEXTANT_HOST                   = "0.0.0.0"
    SEXTANT_PORT                   = tostring(local.container_port)
    AWS_REGION                     = data.aws_region.current.name
    SEXTANT_BACKEND_STORE_URI      = "${local.db_scheme}://mlflow:$${DB_PASSWORD}@${aws_rds_cluster.this.endpoint}:${local.db_port}/mlflow${local.db_uri_query}"
    SEXTANT_SERVE_ARTIFACTS        = "true"
    SEXTANT_ARTIFACTS_DESTINATION  = "s3://${aws_s3_bucket.artifacts.bucket}/artifacts"
    SEXTANT_AUTH                   = "on"
    SEXTANT_OIDC_ISSUER_URL        = var.oidc_issuer_url
    SEXTANT_CLIENT_ID              = var.oidc_client_id
    SEXTANT_REDIRECT_URL           = "https://${var.domain_name}/auth/callback"
    SEXTANT_SCOPE                  = var.oidc_scope
    SEXTANT_EMAIL_DOMAIN           = join(",", var.email_domains)
    SEXTANT_ALLOWED_GROUP          = join(",", var.allowed_groups)
    SEXTANT_ADMIN_GROUP            = join(",", var.admin_groups)
    SEXTANT_SKIP_JWT_BEARER_TOKENS = "true"
    SEXTANT_EXTRA_JWT_ISSUERS      = join(",", var.extra_jwt_issuers)
    SEXTANT_COOKIE_REFRESH         = var.cookie_refresh
    SEXTANT_ALLOWED_HOSTS          = var.domain_name
    SEXTANT_SHUTDOWN_TIMEOUT       = "25s" # within the task's stopTimeout (30 s)
    # The load balancer sits in this VPC: its X-Forwarded-For names the client (back-off, audit).
    SEXTANT_REAL_IP_FROM = local.vpc_cidr
  }, var.extra_environment) : k => v if v != "" }

  secrets = {
    DB_PASSWORD             = aws_secretsmanager_secret.db_password.arn
    SEXTANT_COOKIE_SECRET   = aws_secretsmanager_secret.cookie_secret.arn
    SEXTANT_CLIENT_SECRET   = var.oidc_client_secret_arn
    SEXTANT_ADMIN_BOOTSTRAP = aws_secretsmanager_secret.admin_bootstrap.arn
  }
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_ecs_cluster" "this" {
  name = var.name
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
  tags = local.tags
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([{
    name                   = "sextant"
    image                  = var.image
    essential              = true
    user                   = "10001:10001"
    readonlyRootFilesystem = true
    portMappings           = [{ containerPort = local.container_port, protocol = "tcp" }]
    environment            = [for k in sort(keys(local.environment)) : { name = k, value = local.environment[k] }]
    secrets                = [for k in sort(keys(local.secrets)) : { name = k, valueFrom = local.secrets[k] }]
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    ulimits                = [{ name = "nofile", softLimit = 65536, hardLimit = 65536 }]
    # ECS sends SIGTERM, waits this long, then SIGKILL: Sextant drains in-flight requests.
    stopTimeout = 30
    healthCheck = {
      command     = ["CMD", "/usr/local/bin/sextant", "health", "--url", "http://127.0.0.1:${local.container_port}/health"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 10
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = "sextant"
      }
    }
  }])

  tags = local.tags
}

resource "aws_ecs_service" "this" {
  name                              = var.name
  cluster                           = aws_ecs_cluster.this.id
  task_definition                   = aws_ecs_task_definition.this.arn
  desired_count                     = var.desired_count
  launch_type                       = "FARGATE"
  platform_version                  = "LATEST"
  health_check_grace_period_seconds = 30
  propagate_tags                    = "SERVICE"
  enable_execute_command            = false

  network_configuration {
    subnets          = local.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this.arn
    container_name   = "sextant"
    container_port   = local.container_port
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  lifecycle {
    ignore_changes = [desired_count] # autoscaling owns it after creation
  }

  depends_on = [aws_lb_listener.https, aws_rds_cluster_instance.this]
  tags       = local.tags
}

# --- autoscaling on CPU and on requests per task ------------------------------------

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.desired_count
  max_capacity       = var.max_count
  tags               = local.tags
}

resource "aws_appautoscaling_policy" "cpu" {
  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value = var.autoscaling_cpu_target
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
  }
}

resource "aws_appautoscaling_policy" "requests" {
  name               = "${var.name}-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value = var.autoscaling_requests_per_target
    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${aws_lb.this.arn_suffix}/${aws_lb_target_group.this.arn_suffix}"
    }
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
  }
}
