"""Alembic environment: the connection and models come from the Flask app."""
from alembic import context

from conduit.extensions import db

target_metadata = db.metadata
connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=target_metadata)
with context.begin_transaction():
    context.run_migrations()
