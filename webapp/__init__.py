"""Verbatim's web app: the browser UI and the JSON search API."""
