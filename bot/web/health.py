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
    no channel's sending is paused by a refused token (``paused`` says why)."""
    services = current_app.extensions["dukkan"]
    checks = services.readiness()
    ready = all(checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    if not checks.get("sending", True):
        body["paused"] = services.paused()
    return jsonify(body), 200 if ready else 503
