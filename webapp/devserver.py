"""The development server's request handler (``verbatim serve``): the request-line limit of
the search limits, and the server's own refusals in the app's JSON error shape.

Python's ``http.server`` refuses a request line over 64 KiB with an HTML 414 page, before the
app sees it; a search within the limits may take more (``MAX_REQUEST_LINE_BYTES``).
"""

from __future__ import annotations

import json
from http import HTTPStatus

from werkzeug.serving import WSGIRequestHandler

from indexer.search.request import MAX_REQUEST_LINE_BYTES
from webapp.errors import error_body


class LimitsHandler(WSGIRequestHandler):
    """Werkzeug's handler, reading request lines up to ``MAX_REQUEST_LINE_BYTES``."""

    def handle_one_request(self) -> None:
        # http.server's own, with the project's limit in place of its 65536 bytes.
        try:
            self.raw_requestline = self.rfile.readline(MAX_REQUEST_LINE_BYTES + 1)
            if len(self.raw_requestline) > MAX_REQUEST_LINE_BYTES:
                self.requestline = ""
                self.request_version = ""
                self.command = ""
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return  # parse_request sent the error
            method = getattr(self, f"do_{self.command}", None)
            if method is None:
                self.send_error(HTTPStatus.NOT_IMPLEMENTED,
                                f"Unsupported method ({self.command!r})")
                return
            method()
            self.wfile.flush()
        except TimeoutError as exc:
            self.log_error("Request timed out: %r", exc)
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """The server's refusals (a request line or header too long, a malformed request)
        in the app's JSON error shape, not http.server's HTML page."""
        status = HTTPStatus(code)
        if code == HTTPStatus.REQUEST_URI_TOO_LONG:
            message = f"The request line is longer than {MAX_REQUEST_LINE_BYTES} bytes"
        body = json.dumps(error_body(code, message or status.phrase)).encode()
        self.send_response(code, status.phrase)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.close_connection = True
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)
