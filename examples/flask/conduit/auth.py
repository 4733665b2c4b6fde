"""Login tokens: JWTs sent as `Authorization: Token <jwt>`."""
import time
from functools import wraps

import jwt
from flask import current_app, g, jsonify, request

from .extensions import db
from .models import User


def issue_token(user):
    now = int(time.time())
    claims = {"sub": str(user.id), "iat": now, "exp": now + current_app.config["TOKEN_TTL_SECONDS"]}
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm="HS256")


def current_user():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme not in ("Token", "Bearer") or not token:
        return None
    try:
        claims = jwt.decode(token, current_app.config["SECRET_KEY"], algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    return db.session.get(User, int(claims["sub"]))


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        user = current_user()
        if user is None:
            return jsonify(errors={"body": ["authentication required"]}), 401
        g.user = user
        return view(*args, **kwargs)
    return wrapper
