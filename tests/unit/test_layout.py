"""The shape of the project: one pinned version, one dependency direction."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import yaml

from localnode.layout import ES_VERSION

REPO = Path(__file__).resolve().parents[2]


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def test_docker_compose_runs_the_pinned_elasticsearch() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    images = {name: svc["image"] for name, svc in compose["services"].items() if "image" in svc}
    assert images, "docker-compose.yml has no Elasticsearch image"
    for image in images.values():
        assert image == f"docker.elastic.co/elasticsearch/elasticsearch:{ES_VERSION}"
    assert compose["services"]["elasticsearch"]["environment"].count(
        "xpack.security.enabled=true") == 1
    assert "indexer" in compose["services"]["indexer"]["profiles"]
    assert "esdata" in compose["volumes"]


def test_python_client_matches_the_server_major_minor() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in project["project"]["dependencies"] if d.startswith("elasticsearch")]
    assert pins == [f"elasticsearch>={_major_minor(ES_VERSION)},<8.{int(ES_VERSION.split('.')[1]) + 1}"]
    from importlib.metadata import version

    assert _major_minor(version("elasticsearch")) == _major_minor(ES_VERSION)


PACKAGES = ("indexer", "localnode", "webapp")
MAX_MODULE_LINES = 400


def _modules(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


def _imports(path: Path) -> list[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
            # "from indexer import settings" imports indexer.settings
            names.extend(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_es_version_is_pinned_in_one_place() -> None:
    hits = [path.relative_to(REPO).as_posix() for package in PACKAGES for path in _modules(package)
            if ES_VERSION in path.read_text(encoding="utf-8")]
    assert len(hits) == 1, hits


def test_indexer_never_imports_the_webapp_the_local_node_or_flask() -> None:
    for path in _modules("indexer"):
        for name in _imports(path):
            assert not name.startswith(("webapp", "localnode", "flask", "werkzeug", "jinja2")), \
                f"{path.relative_to(REPO)} imports {name}"


def test_localnode_imports_only_the_settings_of_the_archive() -> None:
    for path in _modules("localnode"):
        for name in _imports(path):
            assert not name.startswith(("webapp", "flask")), f"{path.relative_to(REPO)} imports {name}"
            if name.split(".")[0] == "indexer":
                assert name in ("indexer", "indexer.settings") or name.startswith(
                    "indexer.settings."), f"{path.relative_to(REPO)} imports {name}"


def test_only_the_command_line_brings_in_the_local_node() -> None:
    for path in _modules("webapp"):
        if path.name == "cli.py":
            continue
        for name in _imports(path):
            assert not name.startswith("localnode"), f"{path.relative_to(REPO)} imports {name}"


def test_no_module_is_over_the_size_limit() -> None:
    sizes = {path.relative_to(REPO).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
             for package in PACKAGES for path in _modules(package)}
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}
