"""Who a piece of news text names: people and bodies, and the speaker an attribution names.

A name is a run of capitalised words ("Ursula Mueller", "Syrian Observatory for Human
Rights"). Titles, offices and other qualifiers before a name are not part of it ("U.N.
Assistant Secretary-General Ursula Mueller" names Ursula Mueller); a name ending in a word
such as "Council" or "Hospital" is a body's, and a body is never the speaker a pronoun
stands for. A surname alone stands for the full name seen before it ("Mueller added" after
"Ursula Mueller told").

The text given is the article with its quotes blanked out (see ``quotes``), so that names
inside quotations are never taken for speakers, while every offset stays the text's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from indexer.text import lexicon

PRONOUNS = frozenset({"he", "she", "they"})
# Words that may stand between a subject and its verb: '," Mueller has also said'.
AUXILIARIES = frozenset({"has", "had", "have", "also", "then", "later", "once", "again"})
# '"…," and X replied': a subject opening with one of these starts a clause of its own.
_CLAUSE_OPENERS = frozenset({"and", "but", "or", "while", "as", "when", "after", "before",
                             "because", "so", "then", "which", "who", "where", "if"})
# Words of prose and of descriptions that qualify a name without being part of it.
_PROSE_QUALIFIERS = lexicon.words("""
the a an this that in on at but and or as if when while after before since yesterday today
it its we our i you he his she her they their activist tonight meanwhile however also then
later earlier last daily weekly according speaking humanitarian affairs relief emergency
political military excellency
syrian russian turkish american british french chinese iranian iraqi israeli lebanese
jordanian kurdish german european arab egyptian saudi qatari emirati ukrainian palestinian
yemeni afghan belgian dutch estonian tunisian norwegian irish italian spanish japanese indian
pakistani
""")
# Every word that qualifies a name: prose, titles, ranks, offices and dates ("The U.N.
# Assistant Secretary-General for Humanitarian Affairs Ursula Mueller" names Ursula Mueller).
_QUALIFIERS = _PROSE_QUALIFIERS | lexicon.lowered(
    lexicon.HONORIFICS, lexicon.TITLE_ABBREVIATIONS, lexicon.RANKS, lexicon.OFFICE_WORDS,
    lexicon.ADDRESSED_OFFICES, lexicon.WEEKDAYS, lexicon.MONTH_NAMES,
) | {f"{short.lower()}." for short in lexicon.MONTH_ABBREVIATIONS}
_HONORIFICS = lexicon.lowered(lexicon.HONORIFICS)
# A name sequence ending in one of these names a body, not a person ("Idlib Central Hospital").
_BODIES = lexicon.words("""
council nations ministry office agency organization organisation committee commission
programme program fund army forces force front government hospital university province
governorate city state states department bank union court party group network observatory
coalition times post news press radio television center centre institute foundation crescent
cross brigade brigades movement alliance assembly parliament regime highway street square road
airport camp mosque church school river border district region guardian rights
""")
_PARTICLES = lexicon.NAME_PARTICLES - lexicon.ENGLISH_PARTICLES
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+")  # U.N., U.S., A.
_ARABIC_ARTICLE = re.compile(r"(?:al|el|as|ad)-[A-Z]")  # "al-Assad"


@dataclass(frozen=True)
class Mention:
    """A name in the text, at ``start:end``."""

    name: str
    start: int
    end: int
    person: bool  # two or more name words, or an honorific before the name
    body: bool  # an organisation or place: never a pronoun's referent
    full: str = ""  # the full name: "Ursula Mueller" for a later "Mueller"


def find_mentions(masked: str) -> list[Mention]:
    """Every run of capitalised words in ``masked``, as a person's or a body's name, with
    each surname resolved to the full name it stands for."""
    out: list[Mention] = []
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
        if word.endswith(".") and not (_DOTTED.fullmatch(word)
                                       or word.lower() in lexicon.ABBREVIATIONS):
            word, ends = word[:-1], True
        capital = bool(word) and (word[0].isupper() or bool(_ARABIC_ARTICLE.match(word)))
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
    return _resolve_surnames(out)


def _resolve_surnames(mentions: list[Mention]) -> list[Mention]:
    """A surname stands for the latest full name before it that ends with it ("Mueller
    added" after "Ursula Mueller told"); such a name is a person's though it is one word."""
    known: dict[str, str] = {}
    resolved: list[Mention] = []
    for mention in mentions:
        full, person = mention.name, mention.person
        if not mention.body and " " in mention.name:
            known[mention.name.split()[-1]] = mention.name
        elif not mention.body and mention.name in known:
            full, person = known[mention.name], True
        resolved.append(replace(mention, full=full, person=person))
    return resolved


def _flush(run: list[tuple[str, int, int]], out: list[Mention]) -> None:
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
            out.append(Mention(" ".join(words[i] for i in kept), run[kept[0]][1],
                               run[kept[-1]][2], person=False, body=True))
    else:
        honorific = best[0] > 0 and words[best[0] - 1].lower() in _HONORIFICS
        out.append(Mention(" ".join(words[i] for i in best), run[best[0]][1], run[best[-1]][2],
                           person=len(best) > 1 or honorific, body=False))
    run.clear()


def named_first(offset: int, subj: str, quote_at: int, mentions: Sequence[Mention], *,
                before_verb: bool = False) -> str | None:
    """The speaker named by a subject right after the quote: '," she said', '," X said'
    (``before_verb``), '," said X', '," according to X'. ``subj`` is at ``offset``."""
    words = re.findall(r"[A-Za-z]+", subj)
    if words and words[0] in _CLAUSE_OPENERS:
        return None
    while before_verb and len(words) > 1 and words[-1] in AUXILIARIES:
        words.pop()
    if words and (words[-1] if before_verb else words[0]).lower() in PRONOUNS:
        return referent(quote_at, mentions)  # '," from Raqqa he said' too
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
        w in AUXILIARIES for w in re.findall(r"[A-Za-z]+", rest))
    return inside[0].full if alone and not re.search(r"[A-Za-z]", lead) else None


def named_before_verb(offset: int, subj: str, quote_at: int,
                      mentions: Sequence[Mention]) -> str | None:
    """The speaker a clause names before its verb: 'X told the Council that "…"'."""
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", subj)]
    while words and words[-1] in AUXILIARIES:
        words.pop()
    if words and words[-1] in PRONOUNS:
        return referent(quote_at, mentions)
    inside = [m for m in mentions if offset <= m.start < offset + len(subj)]
    between = re.findall(r"[A-Za-z]+|,", subj[inside[-1].end - offset:]) if inside else [","]
    if all(w in AUXILIARIES for w in between):
        return inside[-1].full  # the name right before the verb: "Mueller added"
    people = [m for m in inside if m.person]
    return people[0].full if people else None


def referent(quote_at: int, mentions: Sequence[Mention]) -> str | None:
    """Who "he", "she" or "they" stands for: the person last named before the quote."""
    named = [m for m in mentions if m.end <= quote_at and m.person]
    return named[-1].full if named else None
