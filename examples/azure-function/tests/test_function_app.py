"""The thin HTTP layer; runs where azure-functions is installed (as with
the Functions Core Tools), and is skipped elsewhere."""
import json

import pytest

func = pytest.importorskip("azure.functions")

import function_app  # noqa: E402


def call(fn, url, params=None, body=b""):
    req = func.HttpRequest(
        method="GET", url=url, params=params or {}, body=body)
    return fn.build().get_user_function()(req)


def test_hello_route():
    resp = call(function_app.hello_http, "/api/hello", {"name": "Ada"})
    assert resp.status_code == 200
    assert json.loads(resp.get_body()) == {"message": "Hello, Ada!"}


def test_hello_json_body():
    resp = call(function_app.hello_http, "/api/hello",
                body=b'{"name": "Grace"}')
    assert json.loads(resp.get_body()) == {"message": "Hello, Grace!"}


def test_health_route():
    assert call(function_app.health_http, "/api/health").status_code == 200
