"""What the app holds for its whole life, and the one way a view reaches it."""

from __future__ import annotations

from dataclasses import dataclass

from elasticsearch import Elasticsearch
from flask import Flask, current_app

from indexer.model.embedder import Embedder
from indexer.provenance.check import Checker
from indexer.search.searcher import Searcher
from indexer.settings import Settings

KEY = "verbatim"


@dataclass(frozen=True)
class Services:
    """Built once per process by ``create_app``: the model is loaded before the first request."""

    settings: Settings
    client: Elasticsearch
    embedder: Embedder
    searcher: Searcher
    checker: Checker

    def install(self, app: Flask) -> None:
        app.extensions[KEY] = self


def services() -> Services:
    found: Services = current_app.extensions[KEY]
    return found


def searcher() -> Searcher:
    return services().searcher


def checker() -> Checker:
    return services().checker
