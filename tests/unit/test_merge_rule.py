"""When a run merges its index's segments afterwards."""

from __future__ import annotations

from indexer.optimize import MERGE_AFTER_PASSAGES, MergeResult, describe, merging_indices, should_merge


def test_a_large_run_into_many_segments_merges() -> None:
    assert should_merge(MERGE_AFTER_PASSAGES, 12)


def test_a_small_run_or_one_segment_does_not() -> None:
    assert not should_merge(MERGE_AFTER_PASSAGES - 1, 40)
    assert not should_merge(10 * MERGE_AFTER_PASSAGES, 1)


def test_an_append_to_a_much_larger_index_does_not_rewrite_it() -> None:
    assert not should_merge(MERGE_AFTER_PASSAGES, 12, index_passages=40 * MERGE_AFTER_PASSAGES)
    assert should_merge(MERGE_AFTER_PASSAGES, 12, index_passages=2 * MERGE_AFTER_PASSAGES)


def test_the_summary_line_says_what_changed() -> None:
    line = describe(MergeResult("ix", 146, 1, 8 * 2**30, 7 * 2**30, 612.4))
    assert line == "ix: 146 segments merged into 1, 8.00 GiB -> 7.00 GiB, in 612.4 s"
    assert "nothing to merge" in describe(MergeResult("ix", 1, 1, 10, 10, 0.1))


def test_the_indices_being_merged_are_read_from_the_tasks_api() -> None:
    # The shape GET _tasks?actions=indices:admin/forcemerge*&detailed answered while a
    # million-passage index was being merged (the parent task and its per-node child).
    tasks = {"nodes": {"QZvn": {"name": "verbatim-9200", "tasks": {
        "QZvn:85118": {"action": "indices:admin/forcemerge",
                       "description": "Force-merge indices [big-1], maxSegments[1], "
                                      "onlyExpungeDeletes[false], flush[true]"},
        "QZvn:85119": {"action": "indices:admin/forcemerge[n]",
                       "description": "Force-merge indices [big-1, other-2], maxSegments[1], "
                                      "onlyExpungeDeletes[false], flush[true]"},
        "QZvn:9": {"action": "indices:data/read/search", "description": "indices[big-1]"},
    }}}}
    assert merging_indices(tasks) == ["big-1", "other-2"]
    assert merging_indices({"nodes": {}}) == []
