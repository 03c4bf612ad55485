"""Verbatim's root-info plugin for the local Elasticsearch node.

Elastic's minimal distribution (``integ-test-zip``), which is what we can fetch
from Maven Central, leaves out the ``rest-root`` module, so ``GET /`` answers 405
and the Python client's ``info()`` fails. The Java sources next to this file
(``src/org/verbatim/rootinfo``) re-register ``GET /`` and ``HEAD /`` with the
same body as rest-root. We ship them as source rather than as a jar, and compile
them against the very distribution they are installed into, because a classic
plugin only loads on the exact Elasticsearch version it was built for.

Nothing happens at import time; call :func:`install_root_info_plugin` before
starting the node (Elasticsearch reads ``plugins/`` only at start-up).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from string import Template

__all__ = ["PLUGIN_NAME", "RootInfoPluginError", "install_root_info_plugin"]

PLUGIN_NAME = "verbatim-root-info"
JAR_NAME = f"{PLUGIN_NAME}.jar"
DESCRIPTOR_NAME = "plugin-descriptor.properties"
JAVA_RELEASE = "17"
JAVAC_TIMEOUT_S = 300.0

_HERE = Path(__file__).resolve().parent
_SOURCE_ROOT = _HERE / "src"
_DESCRIPTOR_TEMPLATE = _HERE / DESCRIPTOR_NAME

# Bump when the way we build changes, so installed copies built the old way are replaced.
_BUILD_FORMAT = "1"
# Recorded as comments in the installed descriptor: Elasticsearch rejects unknown
# properties there, but ignores comment lines.
_KEY_MARKER = "# verbatim-build-key="
_JAR_MARKER = "# verbatim-jar-sha256="
# Fixed timestamp for jar entries, so the same classes always give the same jar bytes.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_ES_JAR = re.compile(r"^elasticsearch-(\d+\.\d+\.\d+(?:-[A-Za-z0-9.]+)?)\.jar$")


class RootInfoPluginError(RuntimeError):
    """The root-info plugin could not be built or installed.

    ``output`` holds javac's complete output when compilation was the step that
    failed (empty otherwise), so callers can log it without re-running javac.
    """

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


def install_root_info_plugin(es_home: Path, java_home: Path) -> Path:
    """Build the plugin against ``es_home``; install it as ``es_home/plugins/verbatim-root-info``.

    Idempotent: a copy built from the same sources, descriptor template and
    Elasticsearch version (and whose jar is intact) is left alone, so calling this
    before every node start costs a few file reads. Otherwise it compiles with
    ``java_home``'s javac, stages the plugin next to ``es_home`` and swaps it in
    with renames, so a node starting meanwhile never sees a half-written plugin.
    Concurrent callers are serialised with a lock on the plugins directory.

    Returns the installed plugin directory. Raises :class:`RootInfoPluginError`.
    """
    es_home = Path(es_home).resolve()
    java_home = Path(java_home)
    es_version = _elasticsearch_version(es_home)
    sources = _source_files()
    template = _DESCRIPTOR_TEMPLATE.read_text(encoding="utf-8")
    key = _build_key(sources, template, es_version)

    plugins_dir = es_home / "plugins"
    target = plugins_dir / PLUGIN_NAME
    try:
        plugins_dir.mkdir(mode=0o755, exist_ok=True)
        with _locked(plugins_dir):
            if _installed_matches(target, key):
                return target
            with tempfile.TemporaryDirectory(prefix="verbatim-root-info-classes-") as tmp:
                classes = Path(tmp)
                _compile(java_home, es_home, sources, classes)
                _stage_and_swap(es_home, target, classes, template, es_version, key)
    except OSError as exc:
        raise RootInfoPluginError(
            f"Could not install the {PLUGIN_NAME} plugin into {plugins_dir}: {exc}. "
            f"Run as a user who can write {es_home} and its plugins directory."
        ) from exc
    return target


def _elasticsearch_version(es_home: Path) -> str:
    """The distribution's version, read from its server jar's name (``lib/elasticsearch-X.jar``)."""
    lib = es_home / "lib"
    if not lib.is_dir():
        raise RootInfoPluginError(f"{es_home} is not an Elasticsearch home: {lib} is missing.")
    versions = sorted(m.group(1) for p in lib.iterdir() if (m := _ES_JAR.match(p.name)))
    if len(versions) != 1:
        raise RootInfoPluginError(
            f"Expected exactly one lib/elasticsearch-<version>.jar in {es_home}, found {versions}."
        )
    return versions[0]


def _source_files() -> list[Path]:
    """The plugin's Java sources, in a stable order (the build key depends on it)."""
    sources = sorted(_SOURCE_ROOT.rglob("*.java"))
    if not sources:
        raise RootInfoPluginError(f"No Java sources under {_SOURCE_ROOT}; the package is broken.")
    return sources


def _build_key(sources: list[Path], template: str, es_version: str) -> str:
    """A hash of everything that determines the plugin, so edits to any of it force a rebuild."""
    digest = hashlib.sha256()
    for part in (_BUILD_FORMAT, JAVA_RELEASE, es_version, template):
        digest.update(part.encode() + b"\0")
    for source in sources:
        digest.update(source.relative_to(_SOURCE_ROOT).as_posix().encode() + b"\0")
        digest.update(source.read_bytes() + b"\0")
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _installed_matches(target: Path, key: str) -> bool:
    """Whether ``target`` holds a copy built from ``key`` whose jar is still the one we wrote."""
    descriptor = target / DESCRIPTOR_NAME
    jar = target / JAR_NAME
    if not (descriptor.is_file() and jar.is_file()):
        return False
    recorded: dict[str, str] = {}
    for line in descriptor.read_text(encoding="utf-8").splitlines():
        for marker in (_KEY_MARKER, _JAR_MARKER):
            if line.startswith(marker):
                recorded[marker] = line[len(marker) :]
    return recorded.get(_KEY_MARKER) == key and recorded.get(_JAR_MARKER) == _sha256(jar)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive flock on ``directory`` itself, so no stray lock file lands in plugins/."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _compile(java_home: Path, es_home: Path, sources: list[Path], out_dir: Path) -> None:
    """Compile against the distribution's own jars, so API drift shows up here, not at start-up."""
    javac = java_home / "bin" / "javac"
    if not javac.is_file():
        raise RootInfoPluginError(
            f"{javac} not found: building the plugin needs a JDK (with javac), not a JRE."
        )
    cmd = [
        str(javac),
        "--release",
        JAVA_RELEASE,
        "-encoding",
        "UTF-8",
        "-cp",
        f"{es_home / 'lib'}{os.sep}*",  # javac expands the wildcard itself
        "-d",
        str(out_dir),
        *map(str, sources),
    ]
    try:
        done = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=JAVAC_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RootInfoPluginError(f"javac took more than {JAVAC_TIMEOUT_S:.0f}s: {cmd}") from exc
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        raise RootInfoPluginError(
            f"javac failed (exit {done.returncode}) building {PLUGIN_NAME} against {es_home}:\n"
            f"{output}",
            output=output,
        )


def _write_jar(classes: Path, jar: Path) -> None:
    """Jar the classes with fixed timestamps and order, so rebuilds are byte-identical."""
    with zipfile.ZipFile(jar, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        directory = zipfile.ZipInfo("META-INF/", date_time=_ZIP_EPOCH)
        directory.external_attr = (0o40755 << 16) | 0x10
        zf.writestr(directory, b"")
        manifest = zipfile.ZipInfo("META-INF/MANIFEST.MF", date_time=_ZIP_EPOCH)
        manifest.external_attr = 0o644 << 16
        manifest.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(manifest, "Manifest-Version: 1.0\r\nCreated-By: verbatim\r\n\r\n")
        for path in sorted(p for p in classes.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(classes).as_posix(), date_time=_ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())


def _stage_and_swap(
    es_home: Path, target: Path, classes: Path, template: str, es_version: str, key: str
) -> None:
    """Write the plugin into a staging dir, then rename it into place.

    Staging and the replaced copy live in ``es_home``, not in ``plugins/``:
    Elasticsearch tries to load every directory in ``plugins/`` (dot-names included)
    and refuses to start if it finds a ``.removing-*`` one.
    """
    staging = Path(tempfile.mkdtemp(prefix=f".{PLUGIN_NAME}-new-", dir=es_home))
    old: Path | None = None
    try:
        os.chmod(staging, 0o755)
        jar = staging / JAR_NAME
        _write_jar(classes, jar)
        body = Template(template).substitute(elasticsearch_version=es_version)
        descriptor = staging / DESCRIPTOR_NAME
        descriptor.write_text(
            f"{_KEY_MARKER}{key}\n{_JAR_MARKER}{_sha256(jar)}\n{body}", encoding="utf-8"
        )
        for path in (jar, descriptor):
            os.chmod(path, 0o644)
        if target.exists() or target.is_symlink():
            old = Path(tempfile.mkdtemp(prefix=f".{PLUGIN_NAME}-old-", dir=es_home))
            old_copy = old / PLUGIN_NAME
            os.rename(target, old_copy)
            try:
                os.rename(staging, target)
            except OSError:
                os.rename(old_copy, target)  # put the previous copy back
                raise
        else:
            os.rename(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
