import json

import pytest

import greetkit
import hello


@pytest.mark.parametrize("name,lang,want", [
    ("Ada", "en", "Hello, Ada!"),
    ("  Ada ", "fr", "Bonjour, Ada !"),
    ("Grace", "es", "¡Hola, Grace!"),
])
def test_hello(name, lang, want):
    status, body = hello.hello(name, lang)
    assert status == 200
    assert json.loads(body) == {"message": want}


@pytest.mark.parametrize("name,lang,error", [
    (None, "en", "pass a name"),
    ("   ", "en", "pass a name"),
    ("x" * 65, "en", "1 to 64 characters"),
    ("Ada\x07", "en", "printable"),
    ("Ada", "tlh", "unknown language 'tlh'"),
])
def test_hello_rejects(name, lang, error):
    status, body = hello.hello(name, lang)
    assert status == 400
    assert error in json.loads(body)["error"]


def test_health():
    status, body = hello.health()
    assert status == 200
    assert json.loads(body) == {
        "status": "ok", "greetkit": greetkit.__version__}
