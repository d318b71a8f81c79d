"""The baseline for the webhook benchmark: a bare Flask endpoint that reads the body and says 200."""

from flask import Flask, request

app = Flask(__name__)


@app.post("/webhook")
def webhook():
    request.get_data()
    return "EVENT_RECEIVED", 200
