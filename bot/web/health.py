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
    """The database answers and the store can serve a catalog (live or its last good snapshot)."""
    services = current_app.extensions["dukkan"]
    checks = services.readiness()
    ready = all(checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503
