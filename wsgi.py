"""The WSGI entry point: ``gunicorn wsgi:app -c gunicorn.conf.py``.

A configuration problem stops the start with one clear line per variable, not a traceback.
"""

import sys

from bot import create_app
from bot.errors import ConfigError

try:
    app = create_app()
except ConfigError as error:
    for problem in error.problems:
        print(f"config: {problem}", file=sys.stderr)
    sys.exit(2)
