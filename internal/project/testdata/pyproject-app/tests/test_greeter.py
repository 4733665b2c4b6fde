import pytest

import greeter


@pytest.fixture
def client():
    app = greeter.create_app()
    return app.test_client()


def test_hello(client):
    resp = client.get("/hello?name=Ada")
    assert resp.status_code == 200
    assert resp.get_json() == {"message": "Hello, Ada!"}


def test_hello_default(client):
    assert client.get("/hello").get_json() == {"message": "Hello, world!"}
