"""`flask db upgrade`: apply the Alembic migrations in migrations/.

Alembic is driven directly (rather than through Flask-Migrate) so the app's
requirements stay satisfiable by Debian's packages, whose Flask-Migrate
declares a newer Alembic than Debian ships.
"""
import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import AppGroup

from .extensions import db

cli = AppGroup("db", help="Database migrations.")


def alembic_config():
    cfg = Config()
    cfg.set_main_option("script_location", current_app.config["MIGRATIONS_DIR"])
    return cfg


def upgrade(revision="head"):
    """Apply migrations up to revision inside the current app context."""
    with db.engine.begin() as connection:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


@cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision):
    """Apply migrations up to REVISION (default: head)."""
    upgrade(revision)
    click.echo(f"database upgraded to {revision}")
