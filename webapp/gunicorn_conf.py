"""gunicorn's settings for Verbatim, in one place: the Dockerfile's command (docker-compose.yml's
web service) and bench/server.py run ``gunicorn -c python:webapp.gunicorn_conf
'webapp.app:create_app()'``.

Workers are ``gthread``: each request has a thread of its own, so a client that opens an
export and never reads pins one thread, not a whole worker, and the worker's heartbeat goes on
(a long export is not killed by ``timeout``, which only watches the worker's main loop).
Command-line options override these (``--bind``, ``--workers``, ``--threads``).
No ``preload_app``: each worker loads (and warms) its model itself; torch's OpenMP threads do
not survive a fork.
"""

from __future__ import annotations

import gunicorn.http.message as _gunicorn_message

from indexer.search.request import MAX_HEADER_FIELD_BYTES, MAX_REQUEST_LINE_BYTES
from webapp.logs import config as _logging_config

bind = "0.0.0.0:5000"
worker_class = "gthread"
workers = 2
threads = 8  # requests served at once per worker, slow readers included
timeout = 60
graceful_timeout = 30
keepalive = 5
logconfig_dict = _logging_config()
# Request lines: any request within the limits of indexer/search/request.py fits, and a
# longer one is refused (gunicorn's 414). gunicorn clamps the limit to its MAX_REQUEST_LINE
# (8190 bytes, fewer than a 1,000-character query can take) unless it is 0, which would read
# a line of any length: its ceiling is raised to the limits' worst case instead (the
# integration test tests/integration/test_query_work.py sees it if gunicorn renames it).
_gunicorn_message.MAX_REQUEST_LINE = max(_gunicorn_message.MAX_REQUEST_LINE,
                                         MAX_REQUEST_LINE_BYTES)
limit_request_line = MAX_REQUEST_LINE_BYTES
limit_request_field_size = MAX_HEADER_FIELD_BYTES
