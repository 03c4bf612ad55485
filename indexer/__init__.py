"""Verbatim's indexer and shared core: settings, client, embedder, mappings, queries."""

__version__ = "0.1.0"
