# Aurora Serverless v2 (PostgreSQL or MySQL) in the private subnets: encrypted, not public,
# backed up, reachable only from the tasks. The master password is generated here and kept in
# Secrets Manager; the task receives it as DB_PASSWORD and Sextant expands ${DB_PASSWORD} in
# its backend store URI (no shell wrapper in the container).

resource "random_password" "db" {
  length  = 40
  special = false # it goes into a URI
}

resource "aws_db_subnet_group" "this" {
  name       = "${var.name}-db"
  subnet_ids = local.private_subnet_ids
  tags       = merge(local.tags, { Name = "${var.name}-db" })
}

resource "aws_rds_cluster" "this" {
  cluster_identifier                  = "${var.name}-db"
  engine                              = local.db_engine
  engine_mode                         = "provisioned"
  engine_version                      = local.db_version
  database_name                       = "mlflow"
  master_username                     = "mlflow"
  master_password                     = random_password.db.result
  port                                = local.db_port
  db_subnet_group_name                = aws_db_subnet_group.this.name
  vpc_security_group_ids              = [aws_security_group.db.id]
  storage_encrypted                   = true
  backup_retention_period             = var.backup_retention_days
  preferred_backup_window             = "03:00-04:00"
  copy_tags_to_snapshot               = true
  deletion_protection                 = var.deletion_protection
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${var.name}-db-final"
  iam_database_authentication_enabled = false
  enabled_cloudwatch_logs_exports     = var.database_engine == "postgresql" ? ["postgresql"] : ["error", "slowquery"]

  serverlessv2_scaling_configuration {
    min_capacity = var.database_min_capacity
    max_capacity = var.database_max_capacity
  }

  tags = merge(local.tags, { Name = "${var.name}-db" })
}

resource "aws_rds_cluster_instance" "this" {
  count                = var.database_instances
  identifier           = "${var.name}-db-${count.index}"
  cluster_identifier   = aws_rds_cluster.this.id
  engine               = aws_rds_cluster.this.engine
  engine_version       = aws_rds_cluster.this.engine_version
  instance_class       = "db.serverless"
  db_subnet_group_name = aws_db_subnet_group.this.name
  publicly_accessible  = false
  tags                 = merge(local.tags, { Name = "${var.name}-db-${count.index}" })
}
