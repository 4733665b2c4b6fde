"""Conduit: a small RealWorld-style JSON API (users and articles)."""
from flask import Flask

from .config import load_config
from .extensions import db, migrate


def create_app(overrides=None):
    """Build the app; overrides (a dict) replace settings, as tests do."""
    app = Flask(__name__)
    app.config.update(load_config())
    if overrides:
        app.config.update(overrides)
    db.init_app(app)
    migrate.init_app(app, db, directory=app.config["MIGRATIONS_DIR"])

    from .api import api
    app.register_blueprint(api, url_prefix="/api")
    return app
