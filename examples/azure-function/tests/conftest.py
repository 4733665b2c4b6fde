import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.dirname(HERE)
# The app root (hello.py, function_app.py) and greetkit's sources, so the
# tests run without installing anything.
sys.path[:0] = [APP, os.path.join(APP, "packages", "greetkit", "src")]
