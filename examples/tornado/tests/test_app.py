import json

import pytest
from tornado.testing import AsyncHTTPTestCase

import app


class TestHandlers(AsyncHTTPTestCase):
    def get_app(self):
        return app.make_app()

    def test_get_answers_message(self):
        response = self.fetch("/test")
        self.assertEqual(response.code, 200)
        self.assertEqual(response.body.decode(), app.MESSAGE)

    def test_post_answers_message(self):
        response = self.fetch("/test", method="POST", body="")
        self.assertEqual(response.code, 200)
        self.assertEqual(response.body.decode(), "test gitlab_cicd api success")

    def test_content_type_is_text(self):
        response = self.fetch("/test")
        self.assertTrue(response.headers["Content-Type"].startswith("text/plain"))

    def test_unknown_path_is_404(self):
        self.assertEqual(self.fetch("/nope").code, 404)

    def test_health(self):
        response = self.fetch("/healthz")
        self.assertEqual(response.code, 200)
        self.assertEqual(json.loads(response.body), {"status": "ok"})


@pytest.mark.parametrize("environ,expected", [
    ({}, 8744),
    ({"PORT": ""}, 8744),
    ({"PORT": "9000"}, 9000),
])
def test_port_from_env(environ, expected):
    assert app.port_from_env(environ) == expected


@pytest.mark.parametrize("value", ["0", "70000", "http"])
def test_port_from_env_rejects_bad_values(value):
    with pytest.raises(ValueError):
        app.port_from_env({"PORT": value})
