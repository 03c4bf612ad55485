"""Logging for the web app, configured once per process: under gunicorn (its
``logconfig_dict``, from ``webapp/gunicorn_conf.py``) and by ``verbatim serve``.

The app's loggers (``verbatim.*`` and the archive's ``indexer.*``) get one stderr handler and a
level, so their messages are formatted and kept, not left to Python's last-resort handler
(warnings only, no logger name, no time): INFO and above, with time, process and logger name.
"""

from __future__ import annotations

import logging.config
from typing import Any

FORMAT = "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s"
LEVEL = "INFO"


def config() -> dict[str, Any]:
    """The one logging configuration (a ``logging.config.dictConfig`` dict)."""
    app = {"handlers": ["stderr"], "level": LEVEL, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": FORMAT}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain",
                                "stream": "ext://sys.stderr"}},
        "loggers": {
            "verbatim": app,
            "indexer": app,
            "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": [], "level": "INFO", "propagate": False},
            "werkzeug": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }


def configure() -> None:
    logging.config.dictConfig(config())
