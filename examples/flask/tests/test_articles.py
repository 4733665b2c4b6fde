def auth(token):
    return {"Authorization": f"Token {token}"}


def create(client, token, title="How to train your dragon", body="Very carefully."):
    return client.post("/api/articles", headers=auth(token),
                       json={"article": {"title": title, "description": "Ever wonder how?", "body": body}})


def test_create_article_requires_auth(client):
    response = client.post("/api/articles", json={"article": {"title": "x", "body": "y"}})
    assert response.status_code == 401


def test_create_article(client, token):
    response = create(client, token)
    assert response.status_code == 201
    article = response.get_json()["article"]
    assert article["slug"] == "how-to-train-your-dragon"
    assert article["author"]["username"] == "jake"


def test_same_title_gets_unique_slug(client, token):
    create(client, token)
    second = create(client, token).get_json()["article"]
    assert second["slug"] == "how-to-train-your-dragon-2"


def test_article_validation(client, token):
    response = create(client, token, title="")
    assert response.status_code == 422
    assert "title" in response.get_json()["errors"]


def test_list_articles_newest_first(client, token):
    create(client, token, title="First")
    create(client, token, title="Second")
    body = client.get("/api/articles").get_json()
    assert body["articlesCount"] == 2
    assert [a["title"] for a in body["articles"]] == ["Second", "First"]


def test_health(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
