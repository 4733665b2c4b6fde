"""Settings from the environment.

DATABASE_URL  SQLAlchemy URL (default: a SQLite file in the instance folder)
SECRET_KEY    signs the login tokens; required when APP_ENV=production
APP_ENV       development (default) or production
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


class ConfigError(RuntimeError):
    pass


def load_config(environ=None):
    environ = os.environ if environ is None else environ
    app_env = environ.get("APP_ENV", "development")
    secret = environ.get("SECRET_KEY", "")
    if not secret:
        if app_env == "production":
            raise ConfigError("SECRET_KEY must be set when APP_ENV=production")
        secret = "development-only-secret"
    url = environ.get("DATABASE_URL", "sqlite:///conduit.db")
    if url.startswith("postgres://"):  # Heroku-style URLs
        url = "postgresql://" + url[len("postgres://"):]
    return {
        "APP_ENV": app_env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "TOKEN_TTL_SECONDS": int(environ.get("TOKEN_TTL_SECONDS", "86400")),
        "MIGRATIONS_DIR": os.path.join(os.path.dirname(HERE), "migrations"),
    }
