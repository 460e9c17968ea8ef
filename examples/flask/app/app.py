"""A small Flask app: one page and a health check."""

import socket

from flask import Flask, render_template

app = Flask(__name__)


@app.route("/")
def index():
    return render_template("index.html", hostname=socket.gethostname())


@app.route("/health")
def health():
    return {"status": "ok"}
