from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.settings import DEFAULT_MODEL, VARIABLES, SettingsError, load_settings

REPO = Path(__file__).resolve().parents[2]


def test_defaults_point_at_the_local_node_and_the_packaged_model() -> None:
    settings = load_settings({"HOME": "/home/someone"})
    assert settings.elasticsearch_urls == ("http://127.0.0.1:9200",)
    assert settings.model == DEFAULT_MODEL
    assert settings.index_prefix == "verbatim"
    assert settings.alias("unsc") == "verbatim-unsc"
    assert settings.all_alias == "verbatim"


def test_several_urls_and_an_api_key() -> None:
    settings = load_settings({"ELASTICSEARCH_URL": "https://a:9200, https://b:9200/",
                              "ELASTICSEARCH_API_KEY": "secret"})
    assert settings.elasticsearch_urls == ("https://a:9200", "https://b:9200")
    assert "secret" not in repr(settings)  # credentials never reach logs through repr


def test_port_moves_the_default_url() -> None:
    assert load_settings({"VERBATIM_ES_PORT": "9250"}).elasticsearch_url == "http://127.0.0.1:9250"


@pytest.mark.parametrize(("env", "named"), [
    ({"ELASTICSEARCH_URL": "localhost:9200"}, "ELASTICSEARCH_URL"),
    ({"VERBATIM_ES_PORT": "ninety"}, "VERBATIM_ES_PORT"),
    ({"VERBATIM_ES_PORT": "70000"}, "VERBATIM_ES_PORT"),
    ({"VERBATIM_INDEX_PREFIX": "Has Spaces"}, "VERBATIM_INDEX_PREFIX"),
    ({"ELASTICSEARCH_USERNAME": "elastic"}, "ELASTICSEARCH_PASSWORD"),
    ({"ELASTICSEARCH_CA_CERTS": "/no/such/ca.pem"}, "ELASTICSEARCH_CA_CERTS"),
    ({"VERBATIM_ENCODER_BACKEND": "tensorflow"}, "VERBATIM_ENCODER_BACKEND"),
])
def test_a_wrong_value_names_its_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(env)


def test_readme_documents_every_variable_and_no_other() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.MULTILINE)
    assert sorted(table) == sorted(VARIABLES)


def test_only_settings_reads_the_environment() -> None:
    offenders = []
    for path in sorted((REPO / "indexer").rglob("*.py")) + sorted((REPO / "webapp").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name != "settings.py" and re.search(r"os\.environ(\.get|\[)|os\.getenv", text):
            offenders.append(str(path.relative_to(REPO)))
    # The embedder only *sets* offline flags for the libraries it loads.
    assert offenders == []
