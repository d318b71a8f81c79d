"""gunicorn settings: threaded workers on $PORT. Each worker process runs its own inbox workers."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = "-" if os.environ.get("ACCESS_LOG", "") == "1" else None
# A webhook body reaches 3 MB on WhatsApp; gunicorn limits only the request line and headers.
limit_request_line = 8190


def worker_exit(server, worker):
    """Let the inbox workers finish the event they hold before the process ends."""
    app = getattr(worker, "wsgi", None)
    services = getattr(app, "extensions", {}).get("dukkan") if app is not None else None
    if services is not None:
        services.workers.stop()
