"""Entry point for gunicorn (conduit.wsgi:app) and the flask CLI."""
from . import create_app

app = create_app()
