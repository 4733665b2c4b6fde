"""HTTP triggers of the example (Python v2 programming model).

This layer only turns HTTP requests into calls of the plain functions in
hello.py, which pytest tests without the Functions runtime.
"""
import azure.functions as func

import hello

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="hello", methods=["GET", "POST"])
def hello_http(req: func.HttpRequest) -> func.HttpResponse:
    name = req.params.get("name")
    if name is None:
        try:
            name = (req.get_json() or {}).get("name")
        except ValueError:
            name = None
    status, body = hello.hello(name, req.params.get("lang", "en"))
    return respond(status, body)


@app.route(route="health", methods=["GET"])
def health_http(req: func.HttpRequest) -> func.HttpResponse:
    return respond(*hello.health())


def respond(status, body):
    return func.HttpResponse(
        body, status_code=status, mimetype="application/json")
