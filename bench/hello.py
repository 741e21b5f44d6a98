"""A bare Flask hello-world: the ceiling this stack (gunicorn + Flask) allows on this machine.

gunicorn -w 2 -k gthread --threads 4 -b 127.0.0.1:PORT 'bench.hello:app'
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    """Hello, world."""
    return "Hello, world!"
