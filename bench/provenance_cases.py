"""The labelled set for quote provenance, built from ../shared/data, the same every time.

    from bench.provenance_cases import build_cases
    cases = build_cases()          # a list of dicts, see ``Case`` below

Nothing is copied into the repository: spans are cut from the UN records when the set is
built, with a fixed seed, so the set follows the data it measures. The only hand-made part is
``bench/paraphrases.jsonl``: reported speech written by us from reading the speeches.

Kinds, and the verdict each expects (issue 12, section 2):

- ``verbatim``: 8-40 consecutive words of one speech.                          -> verbatim
- ``trimmed``: a run of 3-10 inner words left out, no mark.                    -> trimmed
- ``trimmed_ellipsis``: the same with "..." where words were cut (1-2 cuts).   -> trimmed
- ``dropped``: one or two inner words left out at one place. Every quoted word is still the
  speaker's, in order, which is the issue's definition of trimmed; we label it so. (A
  dropped "not" would change the meaning, but nothing in the words tells that apart.)
                                                                                -> trimmed
- ``substituted``: one or two words replaced by near-synonyms ("with" for "causing"). -> altered
- ``added``: one or two words inserted that the speaker did not say.           -> altered
- ``wrong_speaker``: verbatim words of a Security Council speech credited to another speaker of
  the same meeting.                                    -> verbatim, speaker_match "different"
- ``paraphrase``: reported speech from ``paraphrases.jsonl``.                  -> paraphrase
- ``invented``: sentences recombined from templates of fabricated facts.       -> not_found
- ``news``: sentences of FA-KES news articles (2011-2018), none of them in a UN record, checked
  without a date (their dates predate every record, which would make them trivial). -> not_found
- ``dated_before``: a verbatim span with an article date before the speech.    -> not_found
- ``negated``: a negation taken out or put in (:func:`negated_cases`).          -> altered
- ``trimmed_long``: 11-30 words left out silently: whole sentences, or a clause within one
  (``provenance_cuts``).                                                         -> trimmed
- ``spliced``: a sentence's opening run on into a later sentence's closing words.  -> altered

Spans come from Security Council speeches (unsc_2020_syria/speeches.jsonl) and General Debate
speeches (ungdc_2019_2020/speeches.jsonl). A span is kept only if its words (normalised: case and
punctuation ignored) occur in exactly one speech record, and so do its first and last eight
words, so that boilerplate shared by many speeches is never a link test and every edited form
still has one right answer; an edited quote is kept only if it occurs verbatim in no speech.
Each speech gives at most one case. A Security Council source is named by ``symbol`` and
``speech_no`` (its transcript, same symbol, counts too); a General Debate one by ``doc_id``.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from nameparser import HumanName

from bench.common import DATA
from indexer.sources.transcripts import strip_speaker_prefix

SEED = 20261202
UNSC = DATA / "unsc_2020_syria" / "speeches.jsonl"
UNGDC = DATA / "ungdc_2019_2020" / "speeches.jsonl"
NEWS = DATA / "news_fakes_syria" / "articles.jsonl"
PARAPHRASES = Path(__file__).with_name("paraphrases.jsonl")

COUNTS = {"verbatim": 40, "trimmed": 20, "trimmed_ellipsis": 20, "dropped": 15,
          "substituted": 25, "added": 15, "wrong_speaker": 20, "dated_before": 15,
          "invented": 20, "news": 15}
EXPECTED_VERDICT = {"verbatim": "verbatim", "trimmed": "trimmed", "trimmed_ellipsis": "trimmed",
                    "dropped": "trimmed", "substituted": "altered", "added": "altered",
                    "wrong_speaker": "verbatim", "paraphrase": "paraphrase",
                    "invented": "not_found", "news": "not_found", "dated_before": "not_found",
                    "negated": "altered", "trimmed_long": "trimmed", "spliced": "altered"}
# A quote whose negation is taken out or put in: the record's words saying the opposite. Drawn
# after the other kinds, with a generator of its own, so that adding it changed none of them.
NEGATED = 20
_NEGATION_WORDS = {"not", "never"}
_AUXILIARIES = {"is", "are", "was", "were", "will", "would", "can", "could", "should", "must",
                "has", "have", "had", "do", "does", "did", "may", "might"}
ANCHOR = 8  # words at each end of a span that must be unique to its speech
# Near-synonyms, the kind of change a wire copy makes ("with" for "causing" in the seed).
SUBSTITUTES = {
    "must": "should", "should": "must", "people": "civilians", "civilians": "people",
    "important": "vital", "believe": "think", "urgent": "pressing", "serious": "grave",
    "grave": "serious", "great": "huge", "large": "big", "children": "youngsters",
    "attacks": "strikes", "strikes": "attacks", "situation": "crisis", "country": "nation",
    "countries": "nations", "concerned": "worried", "deeply": "profoundly",
    "strongly": "firmly", "protect": "shield", "ensure": "guarantee", "efforts": "attempts",
    "violence": "fighting", "killed": "slain", "displaced": "uprooted", "causing": "with",
    "today": "now", "achieve": "reach", "women": "mothers", "economic": "financial",
    "global": "worldwide", "clear": "plain", "terrible": "awful", "difficult": "hard",
}
INSERTS = ("very", "also", "clearly", "deeply", "truly", "still", "indeed", "now", "all", "only")
_WORD = re.compile(r"[^\W_]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_REJECT = re.compile(r"[:;\"“”()\[\]|_/]|\.\.\.|…|\b(?:[Tt]hank|floor|spoke|President|invite|"
                     r"agenda|participate|rule|briefing|meeting)")


@dataclass(frozen=True)
class Speech:
    """One speech record: where it is, who gave it, when, and its statement text."""

    key: str  # "S/PV.8734#2" or the General Debate record id
    symbol: str | None
    speech_no: int | None
    doc_id: str | None
    meeting: str | None
    speaker: str | None  # None: no usable name (NaN, empty, an office, two people)
    country: str | None
    day: date  # the earliest day the speech may be dated (a bare year: 1 January)
    statement: str
    norm: str


def normalise(text: str) -> str:
    """Words only, lowercase, single spaces: what "appears in the record" is tested on."""
    return " ".join(_WORD.findall(text.lower()))


def _speaker_name(raw: Any) -> str | None:
    if not isinstance(raw, str) or not raw.strip() or "/" in raw or raw.startswith("The "):
        return None
    return raw.strip()


def load_speeches(data: Path = DATA) -> list[Speech]:
    """Security Council then General Debate speeches, in file order."""
    speeches = []
    with (data / UNSC.relative_to(DATA)).open(encoding="utf-8") as handle:
        for line in handle:
            r = json.loads(line)  # Python's json reads the six NaN speakers as float nan
            _, start = strip_speaker_prefix(r["text"])
            statement = r["text"][start:]
            speeches.append(Speech(
                key=f"{r['symbol']}#{r['speech_no']}", symbol=r["symbol"],
                speech_no=int(r["speech_no"]), doc_id=None, meeting=r["meeting_id"],
                speaker=_speaker_name(r.get("speaker")), country=r.get("country") or None,
                day=date.fromisoformat(r["date"]), statement=statement,
                norm=normalise(statement)))
    with (data / UNGDC.relative_to(DATA)).open(encoding="utf-8") as handle:
        for line in handle:
            r = json.loads(line)
            speeches.append(Speech(
                key=r["id"], symbol=None, speech_no=None, doc_id=r["id"], meeting=None,
                speaker=_speaker_name(r.get("speaker")), country=r.get("country") or None,
                day=date(int(r["year"]), 1, 1), statement=r["text"], norm=normalise(r["text"])))
    return speeches


class Corpus:
    """Every speech's normalised text, to ask in how many speeches some words occur."""

    def __init__(self, speeches: list[Speech]) -> None:
        self.speeches = speeches
        self._norms = [s.norm for s in speeches]

    def count(self, text: str) -> int:
        needle = normalise(text)
        return sum(1 for norm in self._norms if needle in norm) if needle else 0

    def unique_span(self, words: list[str]) -> bool:
        return (self.count(" ".join(words)) == 1 and self.count(" ".join(words[:ANCHOR])) == 1
                and self.count(" ".join(words[-ANCHOR:])) == 1)


def expectation(kind: str, speech: Speech | None, speaker_given: bool) -> dict[str, Any]:
    verdict = EXPECTED_VERDICT[kind]
    if verdict == "not_found" or speech is None:
        return {"verdict": verdict, "symbol": None, "speech_no": None, "doc_id": None,
                "speaker_match": "unknown"}
    match = "different" if kind == "wrong_speaker" else "same" if speaker_given else "unknown"
    return {"verdict": verdict, "symbol": speech.symbol, "speech_no": speech.speech_no,
            "doc_id": speech.doc_id, "speaker_match": match}


def origin(speech: Speech) -> dict[str, Any]:
    """Where a case's words come from, whatever it expects (a dated-before case expects no
    source, but its words are still someone's): for checking the set, not for scoring."""
    return {"symbol": speech.symbol, "speech_no": speech.speech_no, "doc_id": speech.doc_id,
            "date": speech.day.isoformat(), "speaker": speech.speaker}


def _spans(speech: Speech, rng: random.Random, corpus: Corpus, low: int,
           high: int) -> Iterator[list[str]]:
    """Candidate spans of ``low``-``high`` words inside one sentence, in a seeded order."""
    sentences = [s.split() for s in _SENTENCE.split(speech.statement)]
    if len(speech.statement) < 400:  # procedural turns: "I now give the floor to ..."
        return
    order = [s for s in sentences if len(s) >= low and not _REJECT.search(" ".join(s))]
    rng.shuffle(order)
    for words in order[:6]:
        length = rng.randint(low, min(high, len(words)))
        start = rng.randint(0, len(words) - length)
        span = words[start:start + length]
        span[-1] = span[-1].rstrip(",")
        if corpus.unique_span(span):
            yield span


def _speaker_for(speech: Speech, index: int) -> str | None:
    """Three quotes in four name the speaker: as the record does, or by surname alone."""
    if speech.speaker is None or index % 4 == 3:
        return None
    if index % 2:
        return speech.speaker
    name = HumanName(speech.speaker)  # "Mr. Wu Haitao" -> "Wu Haitao", "Mrs. Craft" -> "Craft"
    return " ".join(p for p in (name.first, name.middle, name.last) if p) or speech.speaker


def _article_date(speech: Speech, rng: random.Random, index: int, before: bool) -> str | None:
    if before:
        if speech.symbol is None:  # a debate dated by its year: any day of the year before
            return date(speech.day.year - 1, rng.randint(3, 12), rng.randint(1, 28)).isoformat()
        return (speech.day - timedelta(days=rng.randint(1, 60))).isoformat()
    if index % 3 == 2:
        return None
    if speech.symbol is None:
        return date(speech.day.year, rng.randint(10, 12), rng.randint(1, 28)).isoformat()
    return (speech.day + timedelta(days=rng.randint(0, 20))).isoformat()


def _edit(kind: str, span: list[str], rng: random.Random) -> list[str] | None:
    """The span as the kind edits it; None when this span cannot be edited that way."""
    words = list(span)
    inner = range(2, len(words) - 2)
    if kind in ("trimmed", "trimmed_ellipsis"):
        if len(words) < 16:
            return None
        cut = rng.randint(3, min(10, len(words) - 10))
        at = rng.randint(4, len(words) - cut - 4)
        mark = ["..."] if kind == "trimmed_ellipsis" else []
        kept = words[:at] + mark + words[at + cut:]
        if mark and at > 8 and rng.random() < 0.3:  # a second, short cut near the start
            kept = [*words[:3], *mark, *words[5:at], *mark, *words[at + cut:]]
        return kept
    if kind == "dropped":
        n = 1 + rng.randint(0, 1)
        at = rng.randint(3, len(words) - n - 3)
        return words[:at] + words[at + n:]
    if kind == "substituted":
        spots = [i for i in inner if words[i].lower().strip(",.") in SUBSTITUTES]
        if not spots:
            return None
        for i in sorted(rng.sample(spots, min(len(spots), 1 + rng.randint(0, 1)))):
            bare = words[i].strip(",.")
            new = SUBSTITUTES[bare.lower()]
            new = new.capitalize() if bare[0].isupper() else new
            words[i] = words[i].replace(bare, new)
        return words
    if kind == "added":
        for _ in range(1 + rng.randint(0, 1)):
            at = rng.choice(list(range(2, len(words) - 2)))
            words.insert(at, rng.choice(INSERTS))
        return words
    return words


def _span_cases(speeches: list[Speech], corpus: Corpus, rng: random.Random) -> list[dict[str, Any]]:
    """verbatim, trimmed, edited, wrong-speaker and dated-before cases, one speech each."""
    pool = list(speeches)
    rng.shuffle(pool)
    used: set[str] = set()
    cases: list[dict[str, Any]] = []
    by_meeting: dict[str, list[Speech]] = {}
    for s in speeches:
        if s.meeting:
            by_meeting.setdefault(s.meeting, []).append(s)
    for kind, wanted in COUNTS.items():
        if kind in ("invented", "news"):
            continue
        made = 0
        for speech in pool:
            if made == wanted:
                break
            council_turn = made % 2 == 0 or kind == "wrong_speaker"
            if speech.key in used or (speech.symbol is not None) != council_turn:
                continue
            other = None
            if kind == "wrong_speaker":
                other = _other_speaker(speech, by_meeting.get(speech.meeting or "", []), rng)
                if other is None:
                    continue
            low = 16 if kind.startswith("trimmed") else 10 if kind != "verbatim" else 8
            for span in _spans(speech, rng, corpus, low, 40):
                edited = _edit(kind, span, rng)
                text = " ".join(edited) if edited else ""
                if not edited or (edited != span and corpus.count(text.replace("...", " "))):
                    continue
                speaker = other or _speaker_for(speech, made)
                cases.append({
                    "id": f"{kind}-{made + 1:03d}", "kind": kind, "text": text,
                    "speaker": speaker,
                    "date": _article_date(speech, rng, made, before=kind == "dated_before"),
                    "expect": expectation(kind, speech, speaker is not None),
                    "origin": origin(speech)})
                used.add(speech.key)
                made += 1
                break
    return cases


def _other_speaker(speech: Speech, meeting: list[Speech], rng: random.Random) -> str | None:
    """Another named speaker of the meeting: another country and another surname, so that
    "Mrs. Craft" is never the wrong speaker for "Kelly Craft"."""
    if speech.speaker is None:
        return None
    mine = HumanName(speech.speaker).last.lower()
    others = sorted({s.speaker for s in meeting if s.speaker and s.country != speech.country
                     and HumanName(s.speaker).last.lower() != mine})
    return rng.choice(others) if others else None


def load_paraphrases(speeches: list[Speech], path: Path = PARAPHRASES) -> list[dict[str, Any]]:
    """The hand-written reported speech, each checked against the speech it names."""
    index = {s.key: s for s in speeches}
    cases: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        source = record["source"]
        key = source.get("doc_id") or f"{source['symbol']}#{source['speech_no']}"
        if key not in index:
            raise ValueError(f"{path.name}:{number}: no speech {key} in the shared data")
        speech = index[key]
        day = speech.day if speech.symbol else date(speech.day.year, 10, 1)
        cases.append({"id": f"paraphrase-{len(cases) + 1:03d}", "kind": "paraphrase",
                      "text": record["text"], "speaker": record.get("speaker"),
                      "date": (day + timedelta(days=1)).isoformat(),
                      "expect": expectation("paraphrase", speech, bool(record.get("speaker"))),
                      "origin": origin(speech)})
    return cases


_OPENERS = ("We can now confirm that", "My Government has learned that",
            "I must inform the Council that", "Our observers have established that",
            "Let me report that")
_NUMBERS = ("4,312", "exactly 217", "nearly 12,500", "some 6,840", "more than 3,905", "only 41")
_THINGS = ("solar water pumps", "bakeries run by widows", "mobile libraries", "veterinary clinics",
           "cable car stations", "fishing boats", "wind turbines", "beekeeping cooperatives")
_PLACES = ("Deir ez-Zor", "Tartus", "Latakia", "Hasakah", "Raqqa", "Quneitra", "Suwayda", "Palmyra")
_EVENTS = ("were quietly sold to private investors", "were repainted in the colours of the flag",
           "were moved to the Mediterranean coast", "were registered under false names",
           "were auctioned off by the municipality", "were closed to make room for a casino")
_PERIODS = ("during the first week of Ramadan", "before the winter solstice",
            "in the fourteen days since the football final", "on the eve of the harvest festival")
_DONORS = ("Iceland", "Paraguay", "Mongolia", "Bhutan", "Fiji", "Uruguay")


def invented_cases(speeches: list[Speech], corpus: Corpus, rng: random.Random,
                   wanted: int) -> list[dict[str, Any]]:
    """Fabricated quotes, half of them credited to a real speaker: the case that matters most."""
    named = sorted({s.speaker for s in speeches if s.speaker and s.symbol})
    cases: list[dict[str, Any]] = []
    while len(cases) < wanted:
        if len(cases) % 2:
            text = (f"{rng.choice(_DONORS)} will donate {rng.choice(_NUMBERS)} "
                    f"{rng.choice(_THINGS)} to the people of {rng.choice(_PLACES)} "
                    f"{rng.choice(_PERIODS)}.")
        else:
            text = (f"{rng.choice(_OPENERS)} {rng.choice(_NUMBERS)} {rng.choice(_THINGS)} in "
                    f"{rng.choice(_PLACES)} {rng.choice(_EVENTS)} {rng.choice(_PERIODS)}.")
        if corpus.count(text) or any(c["text"] == text for c in cases):
            continue
        cases.append({"id": f"invented-{len(cases) + 1:03d}", "kind": "invented", "text": text,
                      "speaker": rng.choice(named) if len(cases) % 4 < 2 else None,
                      "date": date(2020, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
                      "expect": expectation("invented", None, False)})
    return cases


def news_cases(corpus: Corpus, rng: random.Random, wanted: int,
               path: Path = NEWS) -> list[dict[str, Any]]:
    """Sentences of news articles (never the first: it holds the dateline and headline)."""
    articles = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
    rng.shuffle(articles)
    cases: list[dict[str, Any]] = []
    for article in articles:
        if len(cases) == wanted:
            break
        day = str(article.get("date") or "")[:10]
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            continue
        sentences = [s.split() for s in _SENTENCE.split(article["text"])[1:]]
        fit = [w for w in sentences if 10 <= len(w) <= 35 and not _REJECT.search(" ".join(w))]
        if not fit:
            continue
        words = rng.choice(fit)
        if corpus.count(" ".join(words[:ANCHOR])) or corpus.count(" ".join(words[-ANCHOR:])):
            continue
        cases.append({"id": f"news-{len(cases) + 1:03d}", "kind": "news", "text": " ".join(words),
                      # No date: FA-KES predates every record, so its date alone would rule
                      # them all out; without it the words themselves must say not_found.
                      "speaker": None, "date": None, "expect": expectation("news", None, False),
                      "article": str(article["id"]), "article_date": day})
    return cases


def build_cases(data: Path = DATA, seed: int = SEED) -> list[dict[str, Any]]:
    """The whole labelled set, in kind order; the same list for the same data and seed."""
    speeches = load_speeches(data)
    corpus = Corpus(speeches)
    rng = random.Random(seed)
    cases = _span_cases(speeches, corpus, rng)
    cases += load_paraphrases(speeches)
    cases += invented_cases(speeches, corpus, rng, COUNTS["invented"])
    cases += news_cases(corpus, rng, COUNTS["news"], data / NEWS.relative_to(DATA))
    cases += negated_cases(speeches, corpus, random.Random(f"{seed}-negated"), NEGATED)
    from bench.provenance_cuts import long_cut_cases  # it builds on this module's parts

    cases += long_cut_cases(speeches, corpus, random.Random(f"{seed}-long-cuts"))
    cases += long_cut_cases(speeches, corpus, random.Random(f"{seed}-splices"), kind="spliced")
    return cases


def negate(span: list[str], *, condensed: bool = False) -> list[str] | None:
    """The span with its first "not" or "never" taken out, or, holding none, with a "not"
    put after its first auxiliary verb ("are being spared" → "are not being spared"); None
    when it has neither, or only at its edges (where a quote could start or stop past it).
    ``condensed``: as a headline quotes it, its first three words and the rest from the verb
    before the negation taken out, the words between left out silently ("Hospitals, schools,
    camps are being spared")."""
    inner = range(2, len(span) - 2)
    for i in inner:
        if span[i].lower() in _NEGATION_WORDS:
            if condensed:  # at least three words left out, and three after the negation
                return [*span[:3], span[i - 1], *span[i + 1:]] \
                    if i - 4 >= 3 and len(span) - i - 1 >= 3 else None
            return span[:i] + span[i + 1:]
    if condensed:
        return None
    if any(w.lower().strip(",.;:").endswith("n't") or w.lower() in ("no", "cannot")
           for w in span):
        return None  # a negation we do not edit: adding "not" would make a double one
    for i in inner:
        if span[i].lower() in _AUXILIARIES:
            return [*span[:i + 1], "not", *span[i + 1:]]
    return None


def negated_cases(speeches: list[Speech], corpus: Corpus, rng: random.Random,
                  wanted: int) -> list[dict[str, Any]]:
    """Spans of Security Council and General Debate speeches with a negation taken out or
    put in, each expecting ``altered`` and its speech: a third taken out, a third put in, a
    third taken out of a condensed quote (:func:`negate`)."""
    pool = [s for s in speeches if s.speaker]
    rng.shuffle(pool)
    cases: list[dict[str, Any]] = []
    for speech in pool:
        if len(cases) == wanted:
            break
        flavour = len(cases) % 3  # 0: taken out, 1: put in, 2: condensed and taken out
        low, high = (6, 12) if flavour < 2 else (12, 30)
        for span in _spans(speech, rng, corpus, low, high):
            edited = negate(span, condensed=flavour == 2)
            if edited is None or (len(edited) > len(span)) != (flavour == 1) \
                    or corpus.count(" ".join(edited)):
                continue
            speaker = _speaker_for(speech, len(cases))
            cases.append({
                "id": f"negated-{len(cases) + 1:03d}", "kind": "negated",
                "text": " ".join(edited), "speaker": speaker,
                "date": _article_date(speech, rng, len(cases), before=False),
                "expect": expectation("negated", speech, speaker is not None),
                "origin": origin(speech)})
            break
    return cases


def counts_by_kind(cases: list[dict[str, Any]]) -> dict[str, int]:
    return dict(Counter(case["kind"] for case in cases))


if __name__ == "__main__":
    built = build_cases()
    print(json.dumps(counts_by_kind(built), indent=2), len(built))
