"""The WSGI entry point: ``gunicorn wsgi:app -c gunicorn.conf.py``."""

from bot import create_app

app = create_app()
