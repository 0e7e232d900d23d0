# Secrets Manager: values generated here (database password, cookie secret, first admin). The OIDC
# client secret comes from the identity provider: the operator stores it once, before the first
# apply, and passes its ARN (var.oidc_client_secret_arn; see docs/deploy-aws.md), so it is never
# in Terraform variables or state. The task reads all of them as environment variables.

resource "aws_secretsmanager_secret" "db_password" {
  name                    = "${var.name}/db-password"
  description             = "Sextant database master password (generated)"
  recovery_window_in_days = 7
  tags                    = local.tags
}

resource "aws_secretsmanager_secret_version" "db_password" {
  secret_id     = aws_secretsmanager_secret.db_password.id
  secret_string = random_password.db.result
}

resource "random_password" "cookie" {
  length  = 48
  special = false
}

resource "aws_secretsmanager_secret" "cookie_secret" {
  name                    = "${var.name}/cookie-secret"
  description             = "Sextant --cookie-secret: seals the identity provider's tokens kept with sessions (generated)"
  recovery_window_in_days = 7
  tags                    = local.tags
}

resource "aws_secretsmanager_secret_version" "cookie_secret" {
  secret_id     = aws_secretsmanager_secret.cookie_secret.id
  secret_string = random_password.cookie.result
}

# The first administrator: a local user "admin" with a generated password (read it with
#   aws secretsmanager get-secret-value --secret-id <name>/admin-bootstrap
# after apply; it is created at the first start and never overwritten afterwards).
resource "random_password" "admin" {
  length  = 32
  special = false
}

resource "aws_secretsmanager_secret" "admin_bootstrap" {
  name                    = "${var.name}/admin-bootstrap"
  description             = "SEXTANT_ADMIN_BOOTSTRAP: username:password of the first administrator (generated)"
  recovery_window_in_days = 7
  tags                    = local.tags
}

resource "aws_secretsmanager_secret_version" "admin_bootstrap" {
  secret_id     = aws_secretsmanager_secret.admin_bootstrap.id
  secret_string = "admin:${random_password.admin.result}"
}
