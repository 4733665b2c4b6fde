"""Conduit: a small RealWorld-style JSON API (users and articles)."""
from flask import Flask

from .config import load_config
from .extensions import db
from .migrate import cli as db_cli


def create_app(overrides=None):
    """Build the app; overrides (a dict) replace settings, as tests do."""
    app = Flask(__name__)
    app.config.update(load_config())
    if overrides:
        app.config.update(overrides)
    db.init_app(app)
    app.cli.add_command(db_cli)

    from .api import api
    app.register_blueprint(api, url_prefix="/api")
    return app
