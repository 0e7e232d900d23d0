# A complete Sextant deployment: new VPC, Aurora Serverless v2 PostgreSQL, S3, ECS Fargate
# behind an HTTPS load balancer at mlflow.example.com, Google sign-in.
#
#   cd deploy/aws/bootstrap && terraform init && terraform apply   # state bucket + lock table, once
#   cd ../examples/complete && terraform init && terraform apply
# See docs/deploy-aws.md for the whole walk-through.

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 7.0"
    }
  }
  # Created by ../../bootstrap (its outputs print this block with your names).
  backend "s3" {
    bucket         = "example-sextant-tfstate"
    key            = "sextant/terraform.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "example-sextant-tflock"
    encrypt        = true
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-west-1"
}

variable "domain_name" {
  description = "Public host name of the server."
  type        = string
  default     = "mlflow.example.com"
}

variable "route53_zone_id" {
  description = "Hosted zone of domain_name."
  type        = string
}

variable "image" {
  description = "Sextant image in your registry."
  type        = string
}

variable "oidc_client_id" {
  description = "Google OAuth client id (<id>.apps.googleusercontent.com)."
  type        = string
}

variable "oidc_client_secret_arn" {
  description = "ARN of the secret holding the Google OAuth client secret."
  type        = string
}

module "sextant" {
  source = "../.."

  name                   = "sextant"
  domain_name            = var.domain_name
  route53_zone_id        = var.route53_zone_id
  image                  = var.image
  database_engine        = "postgresql"
  oidc_issuer_url        = "https://accounts.google.com"
  oidc_client_id         = var.oidc_client_id
  oidc_client_secret_arn = var.oidc_client_secret_arn
  email_domains          = ["example.com"]
  # Programs: Google ID tokens (gcloud auth print-identity-token --audiences=https://mlflow.example.com).
  extra_jwt_issuers = ["https://accounts.google.com=https://${var.domain_name}"]
  desired_count     = 2
  max_count         = 6

  tags = {
    owner       = "ml-platform"
    environment = "production"
  }
}

output "url" {
  description = "MLFLOW_TRACKING_URI."
  value       = module.sextant.url
}

output "redirect_url" {
  description = "Register this at the identity provider."
  value       = module.sextant.redirect_url
}

output "admin_bootstrap_secret_arn" {
  description = "The first administrator's credentials."
  value       = module.sextant.admin_bootstrap_secret_arn
}
