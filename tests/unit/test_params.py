from __future__ import annotations

import pytest

from indexer.search.request import Filters, SearchRequest
from webapp.params import MAX_DEPTH, BadParameter, parse_search


def test_defaults() -> None:
    assert parse_search({}) == SearchRequest()


def test_everything_parsed() -> None:
    req = parse_search({"q": ["  Idlib  "], "mode": ["keyword"], "collection": ["un", "news", "un"],
                        "type": ["transcript"], "speaker": ["Ms. Mueller"],
                        "date_from": ["2020-02-01"], "date_to": ["2020-02-29"], "page": ["2"],
                        "size": ["25"], "fusion": ["rrf"], "alpha": ["0.3"]})
    assert req == SearchRequest(
        q="Idlib", mode="keyword", page=2, size=25, fusion="rrf", alpha=0.3,
        filters=Filters(collections=("un", "news"), types=("transcript",),
                        speakers=("Ms. Mueller",), date_from="2020-02-01", date_to="2020-02-29"))


@pytest.mark.parametrize(("args", "param"), [
    ({"size": ["0"]}, "size"), ({"size": ["101"]}, "size"), ({"size": ["ten"]}, "size"),
    ({"page": ["0"]}, "page"), ({"page": [str(MAX_DEPTH)], "size": ["2"]}, "page"),
    ({"mode": ["fuzzy"]}, "mode"), ({"fusion": ["max"]}, "fusion"), ({"alpha": ["2"]}, "alpha"),
    ({"alpha": ["x"]}, "alpha"), ({"type": ["memo"]}, "type"),
    ({"date_from": ["02/27/2020"]}, "date_from"),
    ({"date_from": ["2020-03-01"], "date_to": ["2020-02-01"]}, "date_from"),
    ({"q": ["x" * 1001]}, "q"), ({"mode": ["semantic"]}, "q"),
    ({"collection": ["c" * 201]}, "collection"),
])
def test_bad_values_name_their_parameter(args: dict[str, list[str]], param: str) -> None:
    with pytest.raises(BadParameter) as caught:
        parse_search(args)
    assert caught.value.param == param


def test_typographic_quotation_marks_are_the_query_languages_own() -> None:
    from indexer.search.syntax import parse_keyword_query

    for typed in ("“are not being spared”", "„are not being spared“", "« are not being spared »",
                  "»are not being spared«", "”are not being spared”", "〝are not being spared〟"):
        req = parse_search({"q": [typed]})
        assert req.q.replace(" ", "") == '"arenotbeingspared"', typed
        assert parse_keyword_query(req.q)[0].strip('" ') == "are not being spared"


@pytest.mark.parametrize("typed", [
    '“cut off in the paste "are not being spared"',
    '"are not being spared" and then” a stray',
])
def test_a_stray_typographic_mark_costs_no_phrase_its_quotes(typed: str) -> None:
    from indexer.search.syntax import parse_keyword_query

    req = parse_search({"q": [typed]})
    assert '"are not being spared"' in parse_keyword_query(req.q)[0]


def test_typographic_pairs_are_phrases_beside_a_stray_mark() -> None:
    from indexer.search.syntax import parse_keyword_query

    req = parse_search({"q": ["„Idlib“ said ” “cut “are not being spared”"]})
    matched = parse_keyword_query(req.q)[0]
    assert '"Idlib"' in matched and '"are not being spared"' in matched
