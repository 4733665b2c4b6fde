"""The example's logic, free of azure.functions: it runs anywhere."""
import json

import greetkit


def hello(name, lang="en"):
    """Answer a greeting: (HTTP status, JSON body)."""
    if name is None or not str(name).strip():
        return 400, json.dumps(
            {"error": "pass a name: ?name=... or a JSON body {\"name\": ...}"})
    try:
        text = greetkit.greeting(str(name), lang)
    except ValueError as e:
        return 400, json.dumps({"error": str(e)})
    return 200, json.dumps({"message": text})


def health():
    """Answer the smoke test: (HTTP status, JSON body)."""
    return 200, json.dumps({"status": "ok", "greetkit": greetkit.__version__})
