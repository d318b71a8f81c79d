"""Liveness and readiness for the platform that runs us."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process answers."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """The database answers, the store can serve a catalog (live or its last good snapshot), and
    no channel's sending is paused by a refused token (``paused`` says why).

    ``store_api`` tells the store API's own state (``auth_failed`` with the password variants
    tried, ``breaker_open``, ``rate_limited``, ``loading``, ``ok``); it does not make this instance
    unready while a snapshot answers: every instance shares that API, and taking them all out
    would silence customers the snapshot can still answer."""
    services = current_app.extensions["dukkan"]
    checks = services.readiness()
    ready = all(checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    if not checks.get("sending", True):
        body["paused"] = services.paused()
    store_api = getattr(services.store, "health", None)
    if store_api is not None:
        body["store_api"] = store_api()
    return jsonify(body), 200 if ready else 503
