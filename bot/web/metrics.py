"""``GET /metrics``: the Prometheus exposition (see :mod:`bot.metrics`).

Scrapers usually reach the service over a private network, so the endpoint is open in
development. With ``METRICS_TOKEN`` set it needs ``Authorization: Bearer <METRICS_TOKEN>``; in
production it is refused until that token is set, so a public deployment never exposes it by
accident. Wrong tokens count toward the shared limit per client address
(:mod:`bot.web.failed_auth`): over it, 429 with ``Retry-After``.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from bot import metrics
from bot.web.failed_auth import retry_after, token_matches, wrong_token

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def scrape() -> Response:
    """Every metric, summed over the gunicorn workers, and the inbox depth."""
    services = current_app.extensions["dukkan"]
    refusal = _refusal(services.settings)
    if refusal is not None:
        return refusal
    return Response(metrics.render(services.inbox.counts), 200, content_type=metrics.CONTENT_TYPE)


def _refusal(settings) -> Response | None:
    """A 401/403/429 answer when the caller may not scrape, else None."""
    token = settings.metrics_token
    if not token:
        if settings.production:
            return Response("set METRICS_TOKEN to expose /metrics in production\n", 403, mimetype="text/plain")
        return None
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token_matches(given.strip(), token):
        return None
    if scheme.lower() == "bearer":
        wait = wrong_token("metrics token")
        if wait > 0:
            return Response("too many failed attempts\n", 429, mimetype="text/plain", headers=retry_after(wait))
    return Response("unauthorized\n", 401, mimetype="text/plain", headers={"WWW-Authenticate": "Bearer"})
