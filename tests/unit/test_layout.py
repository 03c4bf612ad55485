"""The shape of the project: one pinned version, one dependency direction."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import yaml

from indexer.node import ES_VERSION

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


def test_es_version_is_pinned_in_one_place() -> None:
    hits = []
    for path in list((REPO / "indexer").rglob("*.py")) + list((REPO / "webapp").rglob("*.py")):
        if ES_VERSION in path.read_text(encoding="utf-8"):
            hits.append(path.name)
    assert hits == ["node.py"]


def test_indexer_never_imports_the_webapp_or_flask() -> None:
    for path in (REPO / "indexer").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("webapp", "flask")), f"{path} imports {name}"
