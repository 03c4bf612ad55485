"""Collections as versioned indices behind aliases.

A collection ``unsc`` lives in ``<prefix>-unsc-<timestamp>`` behind the alias
``<prefix>-unsc`` and the all-collections alias ``<prefix>``. Searches only ever go
through aliases, so a rebuild can swap the alias atomically and no search sees a
half-built collection. (A search already under way when the alias swaps may find that
collection's keyword matches empty, once: its filter names the alias, which each shard
resolves when the search reaches it; the next search sees the new index.)
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from indexer.errors import CollectionError
from indexer.settings import RETIRED_BACKENDS, Settings, same_vectors

_COLLECTION_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# 2: each document's first passage carries the whole document's words and stems
# (``doc_words``, ``doc_stems``), which hybrid search scores documents by. An index is only
# searched so when it was created at 2 or later: one brought up to the new mapping in place
# holds documents indexed before, without them.
SCHEMA_VERSION = 4
WHOLE_DOCUMENT_SCHEMA = 2  # each document's whole words and stems on its first passage
NEGATION_SCHEMA = 3  # "no" and "not" in the stemmed fields (indexer/text/stemming.py)
# Each passage's ``date_precision`` (year, month, day) beside its date. Passages without it
# (indexed before, or added to an older index in place) count as precise to the day, as
# every date did: a year-only date of theirs still falls in January of the month views.
DATE_PRECISION_SCHEMA = 4


def validate_collection(name: str) -> str:
    if not _COLLECTION_RE.match(name):
        raise CollectionError(
            f"Collection name {name!r} is not valid: use 1-64 lowercase letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    return name


def mappings_dir() -> Path:
    """The repository's ``mappings/`` (editable install) or the copy packaged with the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "mappings", here / "_mappings"):
        if (candidate / "passages.json").is_file():
            return candidate
    raise FileNotFoundError(f"mappings/passages.json not found next to {here}")


@cache
def _raw_definition() -> dict[str, Any]:
    definition: dict[str, Any] = json.loads(
        (mappings_dir() / "passages.json").read_text(encoding="utf-8"))
    return definition


def index_definition(*, dims: int, model: str, collection: str, backend: str,
                     replicas: int | None = None) -> dict[str, Any]:
    """The passages index body from ``mappings/passages.json``, sized for the model."""
    body = copy.deepcopy(_raw_definition())
    body["mappings"]["properties"]["embedding"]["dims"] = dims
    body["mappings"]["_meta"].update({
        "schema": SCHEMA_VERSION,
        "collection": collection,
        "model": model,
        "dims": dims,
        "encoder_backend": backend,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    })
    if replicas is not None:
        body["settings"]["index"]["number_of_replicas"] = replicas
    return body


def ensure_prefix_index(client: Elasticsearch, name: str, mapping: str) -> None:
    """Create one of a prefix's own indices (the people, the quote checks) from
    ``mappings/<mapping>.json`` unless it exists; they have no versions and no aliases.

    Their mappings ask for ``auto_expand_replicas: 0-1``: every collection's indexing writes
    to them, so in a cluster a copy must outlive the node that holds the other one (with
    none, losing that node stopped every indexing run), while a single node stays green.
    One made before that, with no replica and none asked for, is given the same setting the
    next time an indexing run saves to it (an explicit 0 cannot be told from the old default)."""
    try:
        index = client.indices.get_settings(index=name, name="index.*replicas")[name]
    except NotFoundError:
        index = None
    if index is not None:
        held = index["settings"].get("index", {})
        if held.get("number_of_replicas") == "0" and "auto_expand_replicas" not in held:
            client.indices.put_settings(index=name, settings={"index.auto_expand_replicas": "0-1"})
        return
    body = json.loads((mappings_dir() / f"{mapping}.json").read_text(encoding="utf-8"))
    # 400: another process created it between the two calls.
    client.options(ignore_status=400).indices.create(
        index=name, settings=body["settings"], mappings=body["mappings"])


def new_index_name(settings: Settings, collection: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    return f"{settings.alias(collection)}-{stamp}"


def create_index(client: Elasticsearch, name: str, body: dict[str, Any]) -> None:
    client.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])


def current_index(client: Elasticsearch, settings: Settings, collection: str) -> str | None:
    """The index the collection's alias points to, or None if the collection does not exist."""
    try:
        aliases = client.indices.get_alias(name=settings.alias(collection))
    except NotFoundError:
        return None
    names = sorted(aliases.body)
    return names[-1] if names else None


def index_meta(client: Elasticsearch, index: str) -> dict[str, Any]:
    mapping = client.indices.get_mapping(index=index).body
    return dict(mapping[index]["mappings"].get("_meta", {}))


def index_dims(client: Elasticsearch, index: str) -> int | None:
    mapping = client.indices.get_mapping(index=index).body
    props = mapping[index]["mappings"].get("properties", {})
    dims = props.get("embedding", {}).get("dims")
    return int(dims) if dims is not None else None


def schema_of(meta: dict[str, Any]) -> int:
    """The schema an index was created at (indices from before it was recorded: 1)."""
    return int(meta.get("schema") or 1)


def whole_documents(meta: dict[str, Any]) -> bool:
    """Whether every document of the index carries its whole text's words and stems."""
    return schema_of(meta) >= WHOLE_DOCUMENT_SCHEMA


def encoder_of(meta: dict[str, Any]) -> tuple[str | None, str]:
    """(model, backend) that made an index's passage vectors. Indices from before backends
    were recorded were all made by PyTorch."""
    return meta.get("model"), meta.get("encoder_backend") or "torch"


def collection_metas(client: Elasticsearch, alias: str) -> dict[str, dict[str, Any]]:
    """Every collection behind ``alias`` with its index's ``_meta`` (model, schema...)."""
    try:
        mapping = client.indices.get_mapping(index=alias, allow_no_indices=True,
                                             ignore_unavailable=True).body
    except NotFoundError:
        return {}
    found = {}
    for body in mapping.values():
        meta = body["mappings"].get("_meta", {})
        if meta.get("collection"):
            found[meta["collection"]] = dict(meta)
    return found


def check_compatible(client: Elasticsearch, index: str, *, dims: int, model: str,
                     collection: str, backend: str) -> None:
    """Refuse to mix vectors of two models, or of one model on two backends, in one collection."""
    existing = index_dims(client, index)
    meta = index_meta(client, index)
    if existing is not None and existing != dims:
        raise CollectionError(
            f"Collection {collection!r} holds {existing}-dimensional vectors (model "
            f"{meta.get('model', '?')!r}) but the configured model {model!r} makes {dims}; "
            "re-index it with --replace to switch models"
        )
    if meta.get("model") and meta["model"] != model:
        raise CollectionError(
            f"Collection {collection!r} was indexed with the model {meta['model']!r}, not {model!r}; "
            "its query and passage vectors would not match: re-index it with --replace"
        )
    _, existing_backend = encoder_of(meta)
    if existing_backend in RETIRED_BACKENDS:
        raise CollectionError(
            f"Collection {collection!r} was encoded on the {existing_backend} backend, which "
            f"Verbatim no longer has: re-index it with --replace to add to it (searches query it "
            f"with the {RETIRED_BACKENDS[existing_backend]} backend meanwhile)"
        )
    if not same_vectors(existing_backend, backend):
        raise CollectionError(
            f"Collection {collection!r} was encoded on the {existing_backend} backend, not "
            f"{backend}: set VERBATIM_ENCODER_BACKEND={existing_backend} to add to it, or "
            "re-index it with --replace"
        )


def update_mapping(client: Elasticsearch, index: str, body: dict[str, Any], *,
                   collection: str) -> None:
    """Bring an existing index up to this version's mapping: new fields are added in place;
    a change Elasticsearch cannot apply in place asks for --replace."""
    from elasticsearch import BadRequestError

    try:
        client.indices.put_mapping(index=index, properties=body["mappings"]["properties"])
    except BadRequestError as exc:
        raise CollectionError(
            f"Collection {collection!r} was built by an older Verbatim whose mapping cannot be "
            f"updated in place ({exc.message}); re-index it with --replace"
        ) from None


def attach_aliases(client: Elasticsearch, settings: Settings, collection: str, index: str) -> None:
    """Point the collection's alias (and the all-collections alias) at ``index`` in one atomic step."""
    alias = settings.alias(collection)
    actions: list[dict[str, Any]] = []
    old = current_index(client, settings, collection)
    if old and old != index:
        actions.append({"remove": {"index": old, "alias": alias}})
        actions.append({"remove": {"index": old, "alias": settings.all_alias}})
    actions.append({"add": {"index": index, "alias": alias}})
    actions.append({"add": {"index": index, "alias": settings.all_alias}})
    client.indices.update_aliases(actions=actions)


@dataclass(frozen=True)
class CollectionInfo:
    name: str
    index: str
    documents: int
    passages: int
    quotes: int
    model: str | None
    encoder_backend: str | None
    created: str | None
    schema: int = SCHEMA_VERSION

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "documents": self.documents, "passages": self.passages,
            "quotes": self.quotes, "model": self.model, "encoder_backend": self.encoder_backend,
            "index": self.index, "created": self.created, "schema": self.schema,
            "whole_documents": self.schema >= WHOLE_DOCUMENT_SCHEMA,
        }


def list_collections(client: Elasticsearch, settings: Settings) -> list[CollectionInfo]:
    """Every collection behind the prefix's aliases, with its counts."""
    try:
        aliases = client.indices.get_alias(index=f"{settings.index_prefix}-*").body
    except NotFoundError:
        return []
    found: dict[str, str] = {}
    for index, body in aliases.items():
        for alias in body.get("aliases", {}):
            if alias.startswith(f"{settings.index_prefix}-") and alias != settings.all_alias:
                collection = alias[len(settings.index_prefix) + 1:]
                if index.startswith(f"{alias}-"):
                    found[collection] = index
    return [collection_info(client, name, index) for name, index in sorted(found.items())]


def collection_info(client: Elasticsearch, name: str, index: str) -> CollectionInfo:
    meta = index_meta(client, index)
    response = client.search(
        index=index, size=0, track_total_hits=True,
        aggs={
            "documents": {"cardinality": {"field": "doc_id", "precision_threshold": 40000}},
            "quotes": {"nested": {"path": "quotes"}},
        },
    )
    aggs = response["aggregations"]
    return CollectionInfo(
        name=name,
        index=index,
        documents=int(aggs["documents"]["value"]),
        passages=int(response["hits"]["total"]["value"]),
        quotes=int(aggs["quotes"]["doc_count"]),
        model=meta.get("model"),
        encoder_backend=meta.get("encoder_backend"),
        created=meta.get("created"),
        schema=schema_of(meta),
    )


def delete_collection(client: Elasticsearch, settings: Settings, collection: str) -> list[str]:
    """Delete every index of the collection (current and orphaned versions); return their names."""
    validate_collection(collection)
    return delete_versions(client, settings, collection)


def delete_versions(client: Elasticsearch, settings: Settings, collection: str, *,
                    keep: str | None = None) -> list[str]:
    """Delete every versioned index of the collection but ``keep``; return their names.

    With ``keep`` the live version, this clears what an interrupted --replace left behind:
    versions never aliased, so never searched."""
    pattern = f"{settings.alias(collection)}-*"
    found = client.indices.get(index=pattern, expand_wildcards="all").body
    names = [n for n in found if n != keep and _is_version_of(n, settings.alias(collection))]
    for name in names:
        client.indices.delete(index=name)
    return names


def _is_version_of(index: str, alias: str) -> bool:
    # "verbatim-un-20240101-..." is a version of "verbatim-un", but of "verbatim-un-sc" it is not.
    rest = index[len(alias) + 1:]
    return index.startswith(f"{alias}-") and re.fullmatch(r"\d{8}-\d{6}-\d{6}", rest) is not None
