"""Finding listed names in text: whole words, any case, Unicode-aware, longest name first.

Pure functions on strings (no database), shared by the preview, applying a pseudonym list to
the project, pseudonymising an export on the fly and the pre-export check, so all four agree
on what counts as a name.

The rules:
- whole words only: the characters either side of a match must not be letters, digits or
  combining accents, so "Sarah" matches in "Sarah's" and "(Sarah)" but not in "Sarahs",
  "Sarahville" or "Zoë" (whose "e" carries a combining diaeresis when decomposed);
- upper and lower case do not matter; composed and decomposed accents both match;
- inside a name, any run of white space matches any other, and the apostrophes ' ’ ʼ match
  each other (Whisper writes ’, people type ');
- the longest name wins where two start at the same place ("Sarah Jones" over "Sarah");
- initials ("S.J."): a dot inside them also matches a dot and a space ("S. J."); a dot next to
  them does not count as a word boundary ("A.S.J." is not "S.J."); and a final dot that ends
  the sentence stays in the text: "I asked S.J." becomes "I asked SN1.", not "I asked SN1".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from storage.pseudonym_records import PseudonymRecord

# A word character: what \w matches (Unicode letters, digits, underscore) plus the combining
# accents, which \w leaves out although they belong to the letter before them.
WORD = r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
APOSTROPHES = "'’ʼ‘"
_SENTENCE_END = re.compile(r"[\"'’”»)\]]*[ \t]*(?:\n|$)")


class NameSpan(NamedTuple):
    start: int
    end: int
    pseudonym: PseudonymRecord


def normalised(term: str) -> str:
    """A name as compared for sameness: composed, case-folded, one kind of apostrophe, single spaces."""
    text = unicodedata.normalize("NFC", term).casefold()
    for apostrophe in APOSTROPHES[1:]:
        text = text.replace(apostrophe, "'")
    return " ".join(text.split())


def has_word(term: str) -> bool:
    return re.search(WORD, term) is not None


class NameMatcher:
    """Every listed name and variant in one expression, longest first."""

    def __init__(self, pseudonyms: Sequence[PseudonymRecord]) -> None:
        terms = [(term.strip(), pseudonym) for pseudonym in pseudonyms for term in pseudonym.terms
                 if term.strip() and has_word(term)]
        # Longest first: at any one position the regular expression takes the first alternative
        # that matches, so "Sarah Jones" must come before "Sarah".
        terms.sort(key=lambda item: len(normalised(item[0])), reverse=True)
        self._owners = [pseudonym for _term, pseudonym in terms]
        self._initials = [term.rstrip().endswith(".") for term, _pseudonym in terms]
        body = "|".join(f"({_term_pattern(term)})" for term, _pseudonym in terms)
        self._pattern = re.compile(body, re.IGNORECASE) if terms else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def spans(self, text: str) -> Iterator[NameSpan]:
        if self._pattern is None or not text:
            return
        for found in self._pattern.finditer(text):
            index = (found.lastindex or 1) - 1
            start, end = found.span()
            if self._initials[index] and _SENTENCE_END.match(text, end):
                end -= 1  # the full stop ends the sentence as well: leave it in the text
            yield NameSpan(start, end, self._owners[index])

    def replace(self, text: str) -> str:
        """`text` with every listed name replaced as the list says (the replacement as typed)."""
        pieces, last = [], 0
        for span in self.spans(text):
            pieces.append(text[last:span.start])
            pieces.append(span.pseudonym.replacement)
            last = span.end
        if not pieces:
            return text
        pieces.append(text[last:])
        return "".join(pieces)

    def contains(self, text: str) -> bool:
        return next(self.spans(text), None) is not None


def _term_pattern(term: str) -> str:
    """One name as a whole-word expression (no capturing groups: the matcher numbers them)."""
    forms = dict.fromkeys(unicodedata.normalize(form, term) for form in ("NFC", "NFD"))
    body = "|".join(_literal(form) for form in forms)
    if "." in term:
        # Initials: "A.S.J." must not match "S.J.", nor "S.J" match inside "S.J.K".
        return rf"(?<!{WORD})(?<!{WORD}\.)(?:{body})(?!{WORD})(?!\.{WORD})"
    return rf"(?<!{WORD})(?:{body})(?!{WORD})"


def _literal(term: str) -> str:
    parts: list[str] = []
    characters = term.strip()
    for index, character in enumerate(characters):
        following = characters[index + 1] if index + 1 < len(characters) else ""
        if character.isspace():
            if parts and parts[-1] != r"\s+":
                parts.append(r"\s+")
        elif character in APOSTROPHES:
            parts.append(f"[{APOSTROPHES}]")
        elif character == "." and following and not following.isspace():
            parts.append(r"\.\s?")  # "S.J." also as "S. J."
        else:
            parts.append(re.escape(character))
    return "".join(parts)
