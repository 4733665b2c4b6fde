"""The Alembic migrations must create the schema the models describe."""
import sqlalchemy as sa

from conduit import create_app
from conduit.extensions import db
from conduit.migrate import upgrade


def test_upgrade_creates_tables(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.db'}", "SECRET_KEY": "t"})
    with app.app_context():
        upgrade()
        inspector = sa.inspect(db.engine)
        assert {"users", "articles", "alembic_version"} <= set(inspector.get_table_names())
        for table in db.metadata.sorted_tables:
            model_columns = {c.name for c in table.columns}
            migrated = {c["name"] for c in inspector.get_columns(table.name)}
            assert model_columns == migrated, table.name
