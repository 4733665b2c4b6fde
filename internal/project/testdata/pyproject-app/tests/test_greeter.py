import greeter


def test_hello():
    client = greeter.create_app().test_client()
    resp = client.get("/hello?name=Ada")
    assert resp.status_code == 200
    assert resp.get_json() == {"message": "Hello, Ada!"}


def test_hello_default():
    resp = greeter.create_app().test_client().get("/hello")
    assert resp.get_json() == {"message": "Hello, world!"}
