from conduit.config import ConfigError, load_config
import pytest

from .conftest import register


def test_register_returns_user_and_token(client):
    response = register(client)
    assert response.status_code == 201
    user = response.get_json()["user"]
    assert user["username"] == "jake" and user["email"] == "jake@example.com"
    assert user["token"]
    assert "password" not in user


def test_duplicate_registration_is_422(client):
    register(client)
    response = register(client, email="other@example.com")
    assert response.status_code == 422
    assert "username" in response.get_json()["errors"]


@pytest.mark.parametrize("field,value", [("username", ""), ("email", "not-an-email"), ("password", "short")])
def test_register_validation(client, field, value):
    body = {"username": "amy", "email": "amy@example.com", "password": "longenough"}
    body[field] = value
    response = client.post("/api/users", json={"user": body})
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_login(client):
    register(client)
    response = client.post("/api/users/login", json={"user": {"email": "jake@example.com", "password": "jakejake1"}})
    assert response.status_code == 200
    assert response.get_json()["user"]["token"]


def test_login_wrong_password_is_401(client):
    register(client)
    response = client.post("/api/users/login", json={"user": {"email": "jake@example.com", "password": "nope-nope"}})
    assert response.status_code == 401


def test_current_user_needs_token(client, token):
    assert client.get("/api/user").status_code == 401
    assert client.get("/api/user", headers={"Authorization": "Token garbage"}).status_code == 401
    response = client.get("/api/user", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200
    assert response.get_json()["user"]["username"] == "jake"


def test_production_requires_secret_key():
    with pytest.raises(ConfigError):
        load_config({"APP_ENV": "production"})
    assert load_config({"APP_ENV": "production", "SECRET_KEY": "x"})["SECRET_KEY"] == "x"


def test_postgres_url_is_normalised():
    cfg = load_config({"DATABASE_URL": "postgres://u:p@db/conduit"})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql://u:p@db/conduit"
