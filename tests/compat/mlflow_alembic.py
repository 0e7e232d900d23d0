"""MLflow's own migrations on empty databases, as MLflow creates a database (its initial tables,
then alembic up to a revision): `mlflow_alembic.py URL REV [URL REV ...]`, one import of MLflow
for all of them. Which MLflow is the caller's choice (PYTHONPATH); MySQL URLs need a driver
(mysql+pymysql://). A manual check's helper (revisions_check.sh), not part of CI.
"""

import logging
import sys

import sqlalchemy
from alembic import command
from mlflow.store.db.utils import _get_alembic_config
from mlflow.store.tracking.dbmodels.initial_models import Base as InitialBase


def migrate(url, revision):
    engine = sqlalchemy.create_engine(url)
    try:
        InitialBase.metadata.create_all(engine)
        with engine.begin() as conn:
            config = _get_alembic_config(url)
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def main(args):
    if not args or len(args) % 2:
        sys.exit(__doc__)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    failed = 0
    for url, revision in zip(args[::2], args[1::2]):
        try:
            migrate(url, revision)
            print("ok %s %s" % (revision, url.split("@")[-1]), flush=True)
        except Exception as e:  # noqa: BLE001 (reported, the next one still runs)
            failed += 1
            print("FAILED %s %s: %s" % (revision, url.split("@")[-1], str(e).splitlines()[0]), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
