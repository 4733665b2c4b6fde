"""The JSON API, following the RealWorld spec's shapes and status codes."""
from flask import Blueprint, g, jsonify, request
from slugify import slugify
from sqlalchemy import text

from .auth import issue_token, login_required
from .extensions import db
from .models import Article, User

api = Blueprint("api", __name__)


def invalid(**fields):
    return jsonify(errors={k: [v] for k, v in fields.items()}), 422


def user_json(user, token=None):
    body = {"username": user.username, "email": user.email, "bio": user.bio}
    if token:
        body["token"] = token
    return {"user": body}


def article_json(a):
    return {"slug": a.slug, "title": a.title, "description": a.description, "body": a.body,
            "createdAt": a.created_at.isoformat() + "Z", "author": {"username": a.author.username}}


@api.get("/health")
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@api.post("/users")
def register():
    data = (request.get_json(silent=True) or {}).get("user") or {}
    username, email, password = (data.get(k, "").strip() for k in ("username", "email", "password"))
    if not username:
        return invalid(username="can't be blank")
    if "@" not in email:
        return invalid(email="is invalid")
    if len(password) < 8:
        return invalid(password="is too short (minimum is 8 characters)")
    if User.query.filter((User.username == username) | (User.email == email)).first():
        return invalid(username="has already been taken")
    user = User(username=username, email=email)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return jsonify(user_json(user, issue_token(user))), 201


@api.post("/users/login")
def login():
    data = (request.get_json(silent=True) or {}).get("user") or {}
    user = User.query.filter_by(email=data.get("email", "")).first()
    if user is None or not user.check_password(data.get("password", "")):
        return jsonify(errors={"email or password": ["is invalid"]}), 401
    return jsonify(user_json(user, issue_token(user)))


@api.get("/user")
@login_required
def me():
    return jsonify(user_json(g.user))


@api.post("/articles")
@login_required
def create_article():
    data = (request.get_json(silent=True) or {}).get("article") or {}
    title, body = data.get("title", "").strip(), data.get("body", "").strip()
    if not title:
        return invalid(title="can't be blank")
    if not body:
        return invalid(body="can't be blank")
    slug, n = slugify(title), 1
    while Article.query.filter_by(slug=slug).first():
        n += 1
        slug = f"{slugify(title)}-{n}"
    article = Article(slug=slug, title=title, description=data.get("description", ""), body=body, author=g.user)
    db.session.add(article)
    db.session.commit()
    return jsonify(article=article_json(article)), 201


@api.get("/articles")
def list_articles():
    limit = min(request.args.get("limit", 20, type=int), 100)
    articles = Article.query.order_by(Article.created_at.desc(), Article.id.desc()).limit(limit).all()
    return jsonify(articles=[article_json(a) for a in articles], articlesCount=Article.query.count())
