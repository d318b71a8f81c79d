"""gunicorn.conf.py's settings without Dukkan's hooks, for the peer baselines in their own virtualenv.

    gunicorn bench.pywa_app:app -c bench/peer_gunicorn_conf.py

The project's file is read and its settings (worker class, processes, threads, timeouts,
keep-alive, limits) are copied; its hooks check Dukkan's configuration and manage Dukkan's
metric files, which pywa's virtualenv cannot import and has no use for.
"""

import runpy
from pathlib import Path

_project = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
bind = _project["bind"]
worker_class = _project["worker_class"]
workers = _project["workers"]
threads = _project["threads"]
timeout = _project["timeout"]
graceful_timeout = _project["graceful_timeout"]
keepalive = _project["keepalive"]
accesslog = _project["accesslog"]
limit_request_line = _project["limit_request_line"]
