"""The WSGI entry point: ``gunicorn wsgi:app -c gunicorn.conf.py``.

A configuration problem stops the start with one clear line per variable, not a traceback.
gunicorn.conf.py checks the configuration in the master before it binds the port; should a
worker still meet a problem (gunicorn started without that file), it exits with gunicorn's
boot-error code, on which the master stops too instead of booting workers forever.
"""

import sys

from bot.app import create_app
from bot.config import print_problems
from bot.errors import ConfigError

WORKER_BOOT_ERROR = 3  # gunicorn.arbiter.Arbiter.WORKER_BOOT_ERROR: the master halts

try:
    app = create_app()
except ConfigError as error:
    print_problems(error)
    sys.exit(WORKER_BOOT_ERROR)
