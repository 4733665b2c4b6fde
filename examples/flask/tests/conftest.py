import pytest

from conduit import create_app
from conduit.extensions import db


@pytest.fixture
def app(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
                      "SECRET_KEY": "test-secret", "TESTING": True})
    with app.app_context():
        db.create_all()
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


def register(client, username="jake", email="jake@example.com", password="jakejake1"):
    return client.post("/api/users", json={"user": {"username": username, "email": email, "password": password}})


@pytest.fixture
def token(client):
    return register(client).get_json()["user"]["token"]
