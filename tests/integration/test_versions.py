"""The versioned indices of a collection: what --replace clears and what delete removes,
on the real node, among neighbours whose names start alike; and the prefix's own indices."""

from __future__ import annotations

import pytest

from indexer import indices
from indexer.errors import CollectionError
from indexer.settings import Settings

pytestmark = pytest.mark.integration


def _create(es, settings: Settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    prefix = settings.index_prefix
    names = {
        "live": f"{prefix}-un-20240101-120000-000001",
        "orphan": f"{prefix}-un-20240102-120000-000002",
        "other collection": f"{prefix}-un-sc-20240101-120000-000001",
        "not a version": f"{prefix}-un-backup",
    }
    for name in names.values():
        es.indices.create(index=name, settings={"number_of_replicas": 0})
    return names


def _present(es, settings: Settings) -> set[str]:  # type: ignore[no-untyped-def]
    return set(es.indices.get(index=f"{settings.index_prefix}-*", expand_wildcards="all").body)


def test_replace_clears_the_orphans_and_keeps_the_live_version(es, clean_prefix: Settings) -> None:  # type: ignore[no-untyped-def]
    names = _create(es, clean_prefix)
    deleted = indices.delete_versions(es, clean_prefix, "un", keep=names["live"])
    assert deleted == [names["orphan"]]
    assert _present(es, clean_prefix) == set(names.values()) - {names["orphan"]}


def test_delete_collection_removes_every_version_and_nothing_else(es, clean_prefix: Settings) -> None:  # type: ignore[no-untyped-def]
    names = _create(es, clean_prefix)
    deleted = indices.delete_collection(es, clean_prefix, "un")
    assert sorted(deleted) == sorted([names["live"], names["orphan"]])
    assert _present(es, clean_prefix) == {names["other collection"], names["not a version"]}
    with pytest.raises(CollectionError):
        indices.delete_collection(es, clean_prefix, "Not Valid")


def test_a_people_index_made_without_replicas_is_given_a_copy_on_a_second_node(  # type: ignore[no-untyped-def]
        es, clean_prefix: Settings) -> None:
    from indexer.people.store import ensure_index

    name = clean_prefix.people_index  # as an earlier version made it: no replica, none asked
    es.indices.create(index=name, settings={"number_of_replicas": 0})
    ensure_index(es, clean_prefix)
    held = es.indices.get_settings(index=name, name="index.*replicas")[name]["settings"]["index"]
    assert held["auto_expand_replicas"] == "0-1"
    # A count an operator chose is theirs.
    es.indices.delete(index=name)
    es.indices.create(index=name, settings={"number_of_replicas": 1})
    ensure_index(es, clean_prefix)
    held = es.indices.get_settings(index=name, name="index.*replicas")[name]["settings"]["index"]
    assert held == {"number_of_replicas": "1"}


def test_requests_naming_an_unknown_collection_at_once_share_their_lookups(  # type: ignore[no-untyped-def]
        es, clean_prefix: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    from indexer.search.vectors import QueryVectors

    lookups: list[float] = []
    real = indices.collection_metas

    def slow_lookup(*args, **kwargs):  # type: ignore[no-untyped-def]
        lookups.append(time.monotonic())
        time.sleep(0.5)  # every request below asks while the first lookup is running
        return real(*args, **kwargs)

    monkeypatch.setattr(indices, "collection_metas", slow_lookup)
    vectors = QueryVectors(es, None, clean_prefix)
    start = threading.Barrier(8)
    refused: list[str] = []

    def ask() -> None:
        start.wait()
        try:
            vectors.require_known(["nws"])
        except CollectionError as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(refused) == 8 and all("'nws'" in message for message in refused)
    # Asked at once, they share the first lookup, and a second for those that asked after it
    # began: not one each.
    assert len(lookups) <= 2
    es.indices.create(index=f"{clean_prefix.index_prefix}-nws-20240101-120000-000001",
                      settings={"number_of_replicas": 0}, mappings={"_meta": {"collection": "nws"}},
                      aliases={clean_prefix.all_alias: {}})
    # A collection made since is known at once, not after the lookups' time to live.
    vectors.require_known(["nws"])


def test_requests_waiting_on_a_failed_lookup_share_its_failure(  # type: ignore[no-untyped-def]
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses
    import threading
    import time

    from elastic_transport import TransportError

    from indexer.client import build_client
    from indexer.search.vectors import QueryVectors

    # A node that is not there (nothing listens on port 9): each lookup fails.
    dead = dataclasses.replace(settings, elasticsearch_urls=("http://127.0.0.1:9",))
    lookups: list[float] = []
    real = indices.collection_metas

    def slow_lookup(*args, **kwargs):  # type: ignore[no-untyped-def]
        lookups.append(time.monotonic())
        time.sleep(0.5)  # as a node that times out: every request below asks meanwhile
        return real(*args, **kwargs)

    monkeypatch.setattr(indices, "collection_metas", slow_lookup)
    vectors = QueryVectors(build_client(dead, request_timeout=1), None, dead)
    start = threading.Barrier(8)
    failures: list[Exception] = []

    def ask() -> None:
        start.wait()
        try:
            vectors.collections()
        except TransportError as exc:
            failures.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(failures) == 8  # each request hears of the failure ...
    assert len(lookups) <= 2  # ... and they share a lookup or two, not queue one each
