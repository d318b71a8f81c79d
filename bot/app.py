"""The Flask app: ``create_app()`` builds it from the settings in the environment, keeps the
services in ``app.extensions["dukkan"]``, registers the blueprints and (outside tests) starts the
inbox workers. The only module of the package root that imports Flask; ``bot`` gives
``create_app`` lazily, so ``import bot.nlu`` (or any core package) does not load it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.config import Settings, development_admin_token

log = logging.getLogger(__name__)


def create_app(
    overrides: dict[str, Any] | None = None,
    *,
    start_workers: bool = True,
    services: Any = None,
) -> Flask:
    """The WSGI app. ``overrides`` replaces settings (tests); with ``WORKERS_IN_WEB`` true the inbox
    workers start unless ``start_workers`` is False (tests drive them with ``services.workers.drain()``);
    with it false they run in ``python -m bot work`` processes and this process only accepts."""
    from bot.logs import configure_logging
    from bot.services import build_services
    from bot.web import ConsoleSessions, admin, health, images, metrics, webhook

    settings = Settings.from_env()
    if overrides:
        settings = settings.with_overrides(**overrides)
    if settings.admin_token_generated:  # development without ADMIN_TOKEN: one token for every process
        settings = settings.with_overrides(admin_token=development_admin_token(settings.database_path))
    configure_logging(settings)
    app = Flask("bot", template_folder="../templates")
    app.session_interface = ConsoleSessions()  # none on /webhook
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    if settings.proxy_hops:  # behind a load balancer: the client's address and scheme come from it
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    # Console session cookies are signed with a key derived from the admin token and the app
    # secret: changing either logs every console session out.
    app.config["SECRET_KEY"] = hmac.new(
        settings.meta_app_secret.encode(), b"dukkan-console:" + settings.admin_token.encode(), hashlib.sha256
    ).hexdigest()
    services = services or build_services(settings)
    app.extensions["dukkan"] = services
    for blueprint in (webhook.bp, health.bp, images.bp, admin.bp, metrics.bp):
        app.register_blueprint(blueprint)
    if start_workers and settings.workers_in_web:
        from bot.nlu import warm_up

        warm_up()                   # the matcher, built before the first turn rather than during it
        services.workers.start()
        services.notifier.start()   # the staff webhook and message, when configured
    return app
