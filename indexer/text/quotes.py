"""Quotations and who said them: quoted spans in news text, and speaker turns in transcripts.

News text is read with the conventions of wire copy. Only double quote marks delimit quotes
(straight ``"``, curly ``“ ”``, guillemets ``« »``): single marks are left alone, because in
English text they are overwhelmingly apostrophes (``Assad's``, ``don't``, ``rebels’``). A quote
that is still open at the end of a paragraph continues when the next paragraph opens with a
quote mark, and otherwise ends with its paragraph. The speaker comes from the attribution in
the same paragraph: first the words after the quote (``," she said``, ``," said X``,
``," X said``, ``," according to X``), then the clause before it (``X said "…"``, ``X told
the Council that "…"``, ``X added that … "routine."``, ``according to X, "…"``). Pronouns
resolve to the person last named before the quote, and a surname to the full name seen
earlier. A quote without an attribution borrows the speaker of the quote before it in its
paragraph (``"…," she said. "…"``) and otherwise keeps ``None``: quotes are never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from indexer.documents import Document, Quote

_OPENERS = "\"“«"
_CURLY_CLOSERS = "”»"
_BLANK = " \t\r\f\v\n\u00a0,"  # a quote of nothing but these is no quote: '" ,"'
_HEAD_CHARS = 600  # an attribution before a quote is in its sentence: never look further back
_NOT_NEWLINE = re.compile(r"[^\n]")
_MARK = re.compile(r"[\"“”«»]")
_VERBS = (
    "said|says|say|added|adds|told|tells|stated|states|noted|notes|warned|warns|stressed"
    "|stresses|urged|urges|insisted|insists|explained|explains|declared|declares|wrote|writes"
    "|asked|asks|replied|replies|continued|continues"
)
_VERB = re.compile(rf"\b(?:{_VERBS})\b")
_AUX_WORDS = frozenset({"has", "had", "have", "also", "then", "later", "once", "again"})
_AUX = rf"(?:(?:{'|'.join(sorted(_AUX_WORDS))})\s+)*"
# '"…," and X replied': a subject opening with one of these starts a clause of its own.
_CLAUSE_OPENERS = frozenset({"and", "but", "or", "while", "as", "when", "after", "before",
                             "because", "so", "then", "which", "who", "where", "if"})
_TAIL_SAID_X = re.compile(rf"[\s,—–-]*(?:{_VERBS})\s+(?P<subj>[^;!?\n]{{1,160}})")
_TAIL_X_SAID = re.compile(rf"[\s,—–-]*(?P<subj>\S(?:[^;!?\n]{{0,140}}?\S)?)\s+{_AUX}(?:{_VERBS})\b")
_ACCORDING = re.compile(r"\baccording to\s+(?P<subj>[^;!?\n]{1,160})", re.IGNORECASE)
_PRONOUNS = frozenset({"he", "she", "they"})


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


_NOT_PERSON = frozenset({"it", "we", "i", "you"})

# Words that qualify a name without being part of it: "The U.N. Assistant Secretary-General
# for Humanitarian Affairs Ursula Mueller" names Ursula Mueller.
_QUALIFIERS = _words("""
the a an this that in on at but and or as if when while after before since yesterday today
it its we our i you he his she her they their lieutenant colonel major captain sergeant
brigadier admiral marshal activist
tonight meanwhile however also then later earlier last daily weekly according speaking
monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december jan. feb. mar. apr. jun. jul. aug. sep.
sept. oct. nov. dec. president vice prime minister foreign defense defence interior
secretary secretary-general under-secretary-general assistant deputy general ambassador
envoy special representative permanent director director-general executive chief head
spokesman spokeswoman spokesperson commander coordinator high commissioner chairman
chairwoman chair king queen prince emir sheikh pope senator governor mayor judge officer
official adviser advisor senior lt. col. gen. maj. capt. sgt. sen. rep. gov. prof. dr. mr.
ms. mrs. miss sir dame lord lady excellency humanitarian affairs relief emergency political
military syrian russian turkish american british french chinese iranian iraqi israeli
lebanese jordanian kurdish german european arab egyptian saudi qatari emirati ukrainian
palestinian yemeni afghan belgian dutch estonian tunisian norwegian irish italian spanish
japanese indian pakistani
""")
_HONORIFICS = frozenset({"mr.", "ms.", "mrs.", "miss", "dr.", "sir", "dame", "prof.", "sheikh"})
# A name sequence ending in one of these names a body, not a person ("Idlib Central Hospital").
_BODIES = _words("""
council nations ministry office agency organization organisation committee commission
programme program fund army forces force front government hospital university province
governorate city state states department bank union court party group network observatory
coalition times post news press radio television center centre institute foundation crescent
cross brigade brigades movement alliance assembly parliament regime highway street square road
airport camp mosque church school river border district region guardian rights
""")
_PARTICLES = frozenset({"al", "el", "bin", "ibn", "abu", "de", "da", "del", "di", "du", "dos",
                        "van", "von", "der", "den", "la", "le"})
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+")  # U.N., U.S., A.
_ABBREVIATIONS = _HONORIFICS | {"st.", "lt.", "col.", "gen.", "maj.", "capt.", "sgt.", "sen.",
                                "rep.", "gov.", "jr.", "sr.", "no.", "vs.", "etc."}
# A sentence end, for deciding whether an attribution belongs to the quote. passages.py has
# the full splitter; this one only needs to be right about the names and titles around
# attributions, and quotes.py must not import passages.py (which imports it).
_SENTENCE_END = re.compile(r"(?P<word>\S*?)[.!?][\"”’)]*\s+(?=[\"“(]?[A-Z0-9])")


@dataclass(frozen=True)
class _Span:
    pieces: tuple[tuple[int, int], ...]  # the quoted words, one piece per paragraph
    mark_start: int  # the opening mark
    mark_end: int  # just past the closing mark (the paragraph's end when it never closes)
    closed: bool


@dataclass(frozen=True)
class _Mention:
    name: str
    start: int
    end: int
    person: bool  # two or more name words, or an honorific before the name
    body: bool  # an organisation or place: never a pronoun's referent
    full: str = ""  # the full name: "Ursula Mueller" for a later "Mueller"


def extract_quotes(text: str) -> list[Quote]:
    """Every double-quoted span in ``text``, in order, with its speaker or ``None``.

    ``Quote.text`` is the quoted words without the quote marks, trailing punctuation kept as
    written except a trailing comma (``"…casualties," she said`` gives ``…casualties``);
    ``start``/``end`` span those words in ``text``. For a quote over several paragraphs the
    span runs from the first word to the last, and ``text`` keeps the paragraph breaks but
    not the quote marks that re-open each paragraph.
    """
    spans = _quote_spans(text)
    if not spans:
        return []
    masked = _mask(text, spans)
    mentions = _mentions(masked)
    quotes: list[Quote] = []
    previous: tuple[int, str | None] = (-1, None)  # paragraph start, speaker of the last quote
    for span in spans:
        para_start = text.rfind("\n", 0, span.mark_start) + 1
        para_end = _line_end(text, span.mark_end)
        speaker = _attribution(text, masked, span, para_start, para_end, mentions)
        if speaker is None and previous[0] == para_start:
            speaker = previous[1]  # '"…," she said. "…"': the second quote is hers too
        previous = (para_start, speaker)
        quotes.append(_quote(text, span, speaker))
    return quotes


def quotes_in_range(quotes: Sequence[Quote], start: int, end: int) -> tuple[Quote, ...]:
    """The quotes that share at least one character with ``[start, end)``, in their order."""
    return tuple(q for q in quotes if q.start < end and q.end > start)


def turn_statement_quotes(doc: Document) -> list[Quote]:
    """One quote per speaker turn of a transcript: a turn is its speaker's own statement.

    The quote is the whole turn, however long (``actions.clipped_quotes`` cuts it to each
    passage when indexing), attributed to the speaker's display name ("Ms. Mueller"). Segments
    without a speaker (a title page) or without text give no quote.
    """
    out: list[Quote] = []
    for segment in doc.segments:
        if segment.speaker is None:
            continue
        start, end = trim_span(doc.text, segment.start, segment.end)
        if start < end:
            out.append(Quote(doc.text[start:end], segment.speaker.display, start, end))
    return out


def _quote_spans(text: str) -> list[_Span]:
    """Pair the quote marks paragraph by paragraph (see the module docstring)."""
    spans: list[_Span] = []
    pieces: list[tuple[int, int]] = []  # the quote in progress, carried across paragraphs
    mark_start = 0
    open_at: int | None = None  # where the open quote's words start in this paragraph
    pos = 0
    for line in text.split("\n"):
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        if not line.strip():
            continue
        marks = [m.start() for m in _MARK.finditer(text, line_start, line_end)]
        if pieces:
            first = line_start + len(line) - len(line.lstrip())
            if marks and marks[0] == first and text[first] in _OPENERS:
                open_at, marks = first + 1, marks[1:]  # re-opened: the same quote goes on
            else:
                spans.append(_Span(tuple(pieces), mark_start, pieces[-1][1], closed=False))
                pieces = []
        for at in marks:
            mark = text[at]
            if open_at is None:
                if mark in "“«" or (mark == '"' and at + 1 < line_end and not text[at + 1].isspace()):
                    open_at, mark_start = at + 1, at
                continue  # a closing mark with nothing open is stray
            if mark in "“«":  # a new opening while open: the earlier quote was never closed
                pieces.append((open_at, at))
                spans.append(_Span(tuple(pieces), mark_start, at, closed=False))
                pieces, open_at, mark_start = [], at + 1, at
            elif mark == '"' or mark in _CURLY_CLOSERS:
                pieces.append((open_at, at))
                spans.append(_Span(tuple(pieces), mark_start, at + 1, closed=True))
                pieces, open_at = [], None
        if open_at is not None:
            pieces.append((open_at, line_end))
            open_at = None
    if pieces:
        spans.append(_Span(tuple(pieces), mark_start, pieces[-1][1], closed=False))
    return [s for s in spans if any(text[a:b].strip(_BLANK) for a, b in s.pieces)]


def _quote(text: str, span: _Span, speaker: str | None) -> Quote:
    pieces = [trim_span(text, a, b) for a, b in span.pieces]
    a, b = pieces[-1]
    if b > a and text[b - 1] == ",":
        pieces[-1] = trim_span(text, a, b - 1)
    pieces = [(a, b) for a, b in pieces if a < b]
    start, end = pieces[0][0], pieces[-1][1]
    words = text[start:end]
    if len(span.pieces) > 1:  # drop the marks that re-open each later paragraph
        reopen = {a - 1 - start for a, _ in span.pieces[1:]}
        words = "".join(c for i, c in enumerate(words) if i not in reopen)
    return Quote(text=words, speaker=speaker, start=start, end=end)


def _mask(text: str, spans: Sequence[_Span]) -> str:
    """``text`` with every quote blanked out, so that names and verbs inside quotes are never
    taken for attributions, while offsets stay the same."""
    parts: list[str] = []
    done = 0
    for span in spans:
        parts.append(text[done:span.mark_start])
        parts.append(_NOT_NEWLINE.sub(" ", text[span.mark_start:span.mark_end]))
        done = span.mark_end
    parts.append(text[done:])
    return "".join(parts)


def _attribution(text: str, masked: str, span: _Span, para_start: int, para_end: int,
                 mentions: Sequence[_Mention]) -> str | None:
    """The speaker named around the quote: after it first, then before it."""
    quote_at = span.mark_start
    tail = masked[span.mark_end:para_end] if span.closed else ""
    # '"…stop." Pedersen said' starts a new sentence; '"…stop?" Pedersen asked' does not.
    last = trim_span(text, *span.pieces[-1])[1]
    new_sentence = last > 0 and text[last - 1] == "."
    if tail.strip() and not (new_sentence and tail.lstrip()[:1].isupper()):
        for pattern in (_TAIL_X_SAID, _TAIL_SAID_X):
            m = pattern.match(tail)
            if m is None:
                continue
            subj = m["subj"] if pattern is _TAIL_X_SAID else _clause(m["subj"])
            if pattern is _TAIL_X_SAID and _has_sentence_end(subj):
                continue
            speaker = _named_first(span.mark_end + m.start("subj"), subj, quote_at, mentions,
                                   before_verb=pattern is _TAIL_X_SAID)
            if speaker:
                return speaker
        stripped = tail.lstrip(" ,—–-")
        m = _ACCORDING.match(stripped)
        if m:
            offset = span.mark_end + len(tail) - len(stripped) + m.start("subj")
            speaker = _named_first(offset, _clause(m["subj"]), quote_at, mentions)
            if speaker:
                return speaker
    head_at = max(para_start, quote_at - _HEAD_CHARS)
    head = masked[head_at:quote_at]
    ends = [m.end() for m in _SENTENCE_END.finditer(head) if not _is_abbreviation(m["word"])]
    clause_at = head_at + (ends[-1] if ends else 0)
    clause = masked[clause_at:quote_at]
    m = _ACCORDING.search(clause)
    if m:
        speaker = _named_first(clause_at + m.start("subj"), _clause(m["subj"]), quote_at,
                               mentions)
        if speaker:
            return speaker
    verbs = list(_VERB.finditer(clause))
    if verbs:
        return _named_before_verb(clause_at, clause[: verbs[-1].start()], quote_at, mentions)
    return None


def _named_first(offset: int, subj: str, quote_at: int, mentions: Sequence[_Mention], *,
                 before_verb: bool = False) -> str | None:
    """The speaker named by a subject right after the quote: '," she said', '," X said'
    (``before_verb``), '," said X', '," according to X'."""
    words = re.findall(r"[A-Za-z]+", subj)
    if words and words[0] in _CLAUSE_OPENERS:
        return None
    while before_verb and len(words) > 1 and words[-1] in _AUX_WORDS:
        words.pop()
    if words and (words[-1] if before_verb else words[0]).lower() in _PRONOUNS:
        return _referent(quote_at, mentions)  # '," from Raqqa he said' too
    inside = [m for m in mentions if offset <= m.start < offset + len(subj)]
    people = [m for m in inside if m.person]
    if people:
        return people[0].full
    if not inside:
        return None
    # A lone name ("WHO said", "said Mueller") counts only where the subject starts with it,
    # and, before the verb, ends with it too ("the TV network said" names no one).
    lead = re.sub(r"\b(?:the|a|an)\b", "", subj[: inside[0].start - offset])
    rest = subj[inside[0].end - offset:]
    alone = not before_verb or rest.lstrip().startswith(",") or all(
        w in _AUX_WORDS for w in re.findall(r"[A-Za-z]+", rest))
    return inside[0].full if alone and not re.search(r"[A-Za-z]", lead) else None


def _named_before_verb(offset: int, subj: str, quote_at: int,
                       mentions: Sequence[_Mention]) -> str | None:
    """The speaker a clause names before its verb: 'X told the Council that "…"'."""
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", subj)]
    while words and words[-1] in _AUX_WORDS:
        words.pop()
    if words and words[-1] in _PRONOUNS:
        return _referent(quote_at, mentions)
    inside = [m for m in mentions if offset <= m.start < offset + len(subj)]
    between = re.findall(r"[A-Za-z]+|,", subj[inside[-1].end - offset:]) if inside else [","]
    if all(w in _AUX_WORDS for w in between):
        return inside[-1].full  # the name right before the verb: "Mueller added"
    people = [m for m in inside if m.person]
    return people[0].full if people else None


def _referent(quote_at: int, mentions: Sequence[_Mention]) -> str | None:
    """Who "he", "she" or "they" stands for: the person last named before the quote."""
    named = [m for m in mentions if m.end <= quote_at and m.person]
    return named[-1].full if named else None


def _mentions(masked: str) -> list[_Mention]:
    """Every run of capitalised words in ``masked``, as a person's or a body's name."""
    out: list[_Mention] = []
    run: list[tuple[str, int, int]] = []
    for m in re.finditer(r"\S+", masked):
        raw, start = m.group(), m.start()
        lead = len(raw) - len(raw.lstrip("([\"'‘“"))
        if lead:
            _flush(run, out)
            raw, start = raw[lead:], start + lead
        word = raw.rstrip(",;:)]\"'’”!?")
        ends = word != raw
        if word.endswith(("'s", "’s")):
            word, ends = word[:-2], True
        if word.endswith(".") and not (_DOTTED.fullmatch(word) or word.lower() in _ABBREVIATIONS):
            word, ends = word[:-1], True
        capital = bool(word) and (word[0].isupper() or bool(re.match(r"(?:al|el|as|ad)-[A-Z]",
                                                                      word)))
        name_word = capital and not any(c.isdigit() for c in word)
        # "Syrian Observatory for Human Rights", "Ministry of Defence": one body's name.
        joins_body = word in ("of", "for") and bool(run) and run[-1][0].lower() in _BODIES
        if name_word or joins_body or (word.lower() in _PARTICLES and run):
            run.append((word, start, start + len(word)))
        else:
            _flush(run, out)
        if ends:
            _flush(run, out)
    _flush(run, out)
    # A surname stands for the latest full name before it that ends with it ("Mueller added"
    # after "Ursula Mueller told"); such a name is a person's even though it is one word.
    known: dict[str, str] = {}
    resolved: list[_Mention] = []
    for mention in out:
        full, person = mention.name, mention.person
        if not mention.body and " " in mention.name:
            known[mention.name.split()[-1]] = mention.name
        elif not mention.body and mention.name in known:
            full, person = known[mention.name], True
        resolved.append(replace(mention, full=full, person=person))
    return resolved


def _flush(run: list[tuple[str, int, int]], out: list[_Mention]) -> None:
    """Turn a run of capitalised words into a mention, qualifiers and titles stripped."""
    while run and (run[-1][0].lower() in _PARTICLES or run[-1][0] in ("of", "for")):
        run.pop()
    if not run:
        return
    words = [w for w, _, _ in run]
    body = (words[-1].lower() in _BODIES or (words[-1].isupper() and len(words[-1]) > 1)
            or "of" in words or "for" in words)
    groups: list[list[int]] = [[]]
    for i, w in enumerate(words):
        qualifier = (w.lower() in _QUALIFIERS or (_DOTTED.fullmatch(w) and len(w) > 2)
                     or w.lower().endswith(("-based", "-backed", "-led")))
        if qualifier or (w.isupper() and len(w) > 1):
            groups.append([])
        elif w.lower() not in _PARTICLES or groups[-1]:
            groups[-1].append(i)
    best = max(groups, key=len)  # longest group; on ties the first, next to the titles
    if body or not best:
        kept = [i for i, w in enumerate(words) if w.lower() not in {"the", "a", "an"}]
        named = body or any(_DOTTED.fullmatch(words[i]) or words[i].isupper() for i in kept)
        if named and kept:
            out.append(_Mention(" ".join(words[i] for i in kept), run[kept[0]][1],
                                run[kept[-1]][2], person=False, body=True))
    else:
        honorific = best[0] > 0 and words[best[0] - 1].lower() in _HONORIFICS
        out.append(_Mention(" ".join(words[i] for i in best), run[best[0]][1], run[best[-1]][2],
                            person=len(best) > 1 or honorific, body=False))
    run.clear()


def _clause(subj: str) -> str:
    """The subject text up to the end of its sentence."""
    for m in _SENTENCE_END.finditer(subj + " "):
        if not _is_abbreviation(m["word"]):
            return subj[: m.start() + len(m["word"])]
    return subj


def _has_sentence_end(text: str) -> bool:
    return any(not _is_abbreviation(m["word"]) for m in _SENTENCE_END.finditer(text))


def _is_abbreviation(word: str) -> bool:
    word = word.lstrip("([\"“") + "."
    return word.lower() in _ABBREVIATIONS or bool(_DOTTED.fullmatch(word))



def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the whitespace at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
