# Inputs of the Sextant stack. Secrets are never variables: they are generated here (database
# password, cookie secret, first admin) or referenced by ARN (the OIDC client secret).

variable "name" {
  description = "Name prefix for every resource (letters, digits and dashes)."
  type        = string
  default     = "sextant"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name must be 2-21 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every resource (a Name tag is added per resource)."
  type        = map(string)
  default     = {}
}

# --- network ---------------------------------------------------------------------------

variable "vpc_id" {
  description = "An existing VPC to use. Empty: the module creates a VPC with public and private subnets."
  type        = string
  default     = ""
}

variable "public_subnet_ids" {
  description = "Public subnets (for the load balancer) of the existing VPC; required with vpc_id."
  type        = list(string)
  default     = []
}

variable "private_subnet_ids" {
  description = "Private subnets (for the tasks and the database) of the existing VPC; required with vpc_id."
  type        = list(string)
  default     = []
}

variable "vpc_cidr" {
  description = "CIDR of the VPC the module creates (ignored with vpc_id)."
  type        = string
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  description = "Availability zones for the created VPC (at least two; ignored with vpc_id). Empty: the first two of the region."
  type        = list(string)
  default     = []
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all private subnets (cheaper) instead of one per zone (survives a zone outage)."
  type        = bool
  default     = true
}

# --- DNS and TLS -----------------------------------------------------------------------

variable "domain_name" {
  description = "The public host name of the server, e.g. mlflow.example.com."
  type        = string
}

variable "route53_zone_id" {
  description = "The Route 53 hosted zone that holds domain_name (for the alias record and certificate validation)."
  type        = string
}

variable "certificate_arn" {
  description = "An existing ACM certificate for domain_name. Empty: the module requests one and validates it through DNS."
  type        = string
  default     = ""
}

variable "alb_ingress_cidrs" {
  description = "Who may reach the load balancer (HTTPS and the HTTP redirect)."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "deletion_protection" {
  description = "Deletion protection on the load balancer and the database."
  type        = bool
  default     = true
}

# --- database --------------------------------------------------------------------------

variable "database_engine" {
  description = "Aurora Serverless v2 engine: \"postgresql\" or \"mysql\"."
  type        = string
  default     = "postgresql"
  validation {
    condition     = contains(["postgresql", "mysql"], var.database_engine)
    error_message = "database_engine must be \"postgresql\" or \"mysql\"."
  }
}

variable "database_engine_version" {
  description = "Aurora engine version. Empty: 15.4 for PostgreSQL, 8.0.mysql_aurora.3.05.2 for MySQL."
  type        = string
  default     = ""
}

variable "database_min_capacity" {
  description = "Aurora Serverless v2 minimum ACUs (0.5 is the smallest that never pauses)."
  type        = number
  default     = 0.5
}

variable "database_max_capacity" {
  description = "Aurora Serverless v2 maximum ACUs."
  type        = number
  default     = 4
}

variable "database_instances" {
  description = "Aurora instances (1 writer + readers for failover)."
  type        = number
  default     = 2
}

variable "backup_retention_days" {
  description = "Automated backup retention of the database."
  type        = number
  default     = 14
}

# --- artifacts -------------------------------------------------------------------------

variable "artifact_bucket_name" {
  description = "Name of the S3 artifact bucket the module creates. Empty: <name>-artifacts-<account id>."
  type        = string
  default     = ""
}

variable "artifact_bucket_force_destroy" {
  description = "Let terraform destroy delete a non-empty artifact bucket (keep false in production)."
  type        = bool
  default     = false
}

# --- the service -----------------------------------------------------------------------

variable "image" {
  description = "The Sextant container image (e.g. <account>.dkr.ecr.<region>.amazonaws.com/sextant:1.0.0)."
  type        = string
}

variable "cpu" {
  description = "Fargate task CPU units."
  type        = number
  default     = 512
}

variable "memory" {
  description = "Fargate task memory (MiB)."
  type        = number
  default     = 1024
}

variable "desired_count" {
  description = "Tasks to run (several: the server is stateless)."
  type        = number
  default     = 2
}

variable "max_count" {
  description = "Upper bound for autoscaling."
  type        = number
  default     = 6
}

variable "autoscaling_cpu_target" {
  description = "Target average CPU utilisation (percent) for autoscaling."
  type        = number
  default     = 60
}

variable "autoscaling_requests_per_target" {
  description = "Target ALB requests per task per minute for autoscaling."
  type        = number
  default     = 6000
}

variable "log_retention_days" {
  description = "CloudWatch log retention."
  type        = number
  default     = 90
}

# --- authentication --------------------------------------------------------------------

variable "oidc_issuer_url" {
  description = "OIDC issuer for the browser login and bearer JWTs, e.g. https://accounts.google.com."
  type        = string
}

variable "oidc_client_id" {
  description = "The OIDC client id."
  type        = string
}

variable "oidc_client_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the OIDC client secret (plain string), created by the operator."
  type        = string
  validation {
    condition     = can(regex("^arn:[a-z-]+:secretsmanager:", var.oidc_client_secret_arn))
    error_message = "oidc_client_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "oidc_scope" {
  description = "Scopes for the browser login."
  type        = string
  default     = "openid email profile"
}

variable "email_domains" {
  description = "Allowed e-mail domains of users (\"*\" = any verified e-mail)."
  type        = list(string)
}

variable "allowed_groups" {
  description = "If set, only members of these groups may enter."
  type        = list(string)
  default     = []
}

variable "admin_groups" {
  description = "Members of these groups are administrators."
  type        = list(string)
  default     = []
}

variable "extra_jwt_issuers" {
  description = "Further trusted bearer-JWT issuers as ISSUER=AUDIENCE (e.g. for CI systems)."
  type        = list(string)
  default     = []
}

variable "cookie_refresh" {
  description = "Refresh browser sessions at the provider after this long (Go duration; \"0\" = off)."
  type        = string
  default     = "0"
}

variable "extra_environment" {
  description = "More environment variables for the container (SEXTANT_* settings; never secrets)."
  type        = map(string)
  default     = {}
}
