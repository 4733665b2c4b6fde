"""A minimal Tornado service: GET and POST /test answer a fixed message."""
import os

import tornado.ioloop
import tornado.web

MESSAGE = "test gitlab_cicd api success"
DEFAULT_PORT = 8744


class TestHandler(tornado.web.RequestHandler):
    """Answers GET and POST /test with MESSAGE."""

    def get(self):
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.write(MESSAGE)

    def post(self):
        self.get()


class HealthHandler(tornado.web.RequestHandler):
    """Liveness endpoint for probes and smoke tests."""

    def get(self):
        self.write({"status": "ok"})


def make_app():
    """Build the application; tests use it without binding a port."""
    return tornado.web.Application([
        (r"/test", TestHandler),
        (r"/healthz", HealthHandler),
    ])


def port_from_env(environ=None):
    """Return the port from $PORT, or DEFAULT_PORT."""
    environ = os.environ if environ is None else environ
    value = environ.get("PORT", "")
    if not value:
        return DEFAULT_PORT
    port = int(value)
    if not 0 < port < 65536:
        raise ValueError(f"PORT {value} is out of range")
    return port


def main():
    port = port_from_env()
    make_app().listen(port)
    print(f"listening on :{port}", flush=True)
    tornado.ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
