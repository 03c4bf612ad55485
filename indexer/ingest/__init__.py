"""Indexing runs: documents in, passages with their vectors acknowledged by Elasticsearch out.

``pipeline.run`` is the entry point; ``report`` holds what it takes and gives back.
"""
