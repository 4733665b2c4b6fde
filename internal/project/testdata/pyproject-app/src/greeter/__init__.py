"""A Flask app that greets."""
from flask import Flask, jsonify, request


def create_app():
    app = Flask(__name__)

    @app.get("/hello")
    def hello():
        name = request.args.get("name", "world").strip() or "world"
        return jsonify(message=f"Hello, {name}!")

    return app
