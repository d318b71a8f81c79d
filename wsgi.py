"""The WSGI entry point: ``gunicorn wsgi:app -c gunicorn.conf.py``.

A configuration problem stops the start with one clear line per variable, not a traceback.
"""

import sys

from bot import create_app
from bot.config import print_problems
from bot.errors import ConfigError

try:
    app = create_app()
except ConfigError as error:
    print_problems(error)
    sys.exit(2)
