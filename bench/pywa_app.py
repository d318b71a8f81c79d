"""The peer baseline: pywa (WhatsApp) under gunicorn, in its own virtualenv (``var/bench/pywa-venv``).

    gunicorn bench.pywa_app:app -c bench/peer_gunicorn_conf.py

Signed updates are checked with ``META_APP_SECRET`` (pywa's ``app_secret``). ``PYWA_REPLY=0``: the
message handler does nothing (an ack); ``PYWA_REPLY=1``: it answers each message with one short
text (``msg.reply_text``), sent to the Graph API at ``GRAPH_API_URL`` (the benchmark's fake one)
before the webhook answers, which is how pywa runs handlers. pywa has no option for the Graph
URL: it sets ``base_url`` on the httpx client it is given, so the benchmark gives it one and
points that client's ``base_url`` at the fake API afterwards. Imports nothing from Dukkan.
"""

import os

import httpx  # type: ignore[import-not-found,unused-ignore]  # installed in var/bench/pywa-venv only
from flask import Flask
from pywa import WhatsApp, types  # type: ignore[import-not-found]  # installed in var/bench/pywa-venv only
from pywa.utils import UserIdentifier  # type: ignore[import-not-found]  # installed in var/bench/pywa-venv only

app = Flask(__name__)
_session = httpx.Client(timeout=10)
wa = WhatsApp(phone_id=os.environ["WHATSAPP_PHONE_NUMBER_ID"], token=os.environ["WHATSAPP_ACCESS_TOKEN"],
              session=_session, server=app, webhook_endpoint="/webhook", verify_token="bench-verify",
              app_secret=os.environ["META_APP_SECRET"], validate_updates=True,
              # reply "to" the phone number, as Dukkan does (pywa 4 prefers the business-scoped user id)
              user_identifier_priority=(UserIdentifier.WA_ID, UserIdentifier.BSUID, UserIdentifier.PARENT_BSUID))
_session.base_url = str(_session.base_url).replace("https://graph.facebook.com", os.environ["GRAPH_API_URL"])

if os.environ.get("PYWA_REPLY") == "1":
    @wa.on_message()
    def reply(_: WhatsApp, msg: types.Message) -> None:
        msg.reply_text("شكرا! هنرد عليك حالا")
else:
    @wa.on_message()
    def ack(_: WhatsApp, msg: types.Message) -> None:
        pass
