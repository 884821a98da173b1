"""Highlighting done from the query terms, so a pinyin or initials match ("zhizi", "cjzz")
marks the Chinese characters it spells, the same way on both backends."""

from collections.abc import Iterable

from django.utils.html import escape

from search.analysis import HAN_RUN, Term, normalize, readings

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


def _mark_substring(haystack: str, needle: str, marks: list[bool]) -> None:
    start = haystack.find(needle)
    while needle and start != -1:
        marks[start : start + len(needle)] = [True] * len(needle)
        start = haystack.find(needle, start + 1)


def _spelled_length(word: str, options: tuple[tuple[str, ...], ...], *, prefix: bool) -> int:
    """How many characters from the start of `options` spell `word` (in full pinyin, or in
    initials), trying every reading of polyphonic characters; 0 if they do not."""

    def full(rest: str, i: int) -> int:
        if not rest:
            return i
        if i == len(options):
            return 0
        for reading in options[i]:
            if rest.startswith(reading) or (prefix and i and reading.startswith(rest)):
                found = full(rest[len(reading):] if rest.startswith(reading) else "", i + 1)
                if found:
                    return found
        return 0

    spelled = full(word, 0)
    if spelled:
        return spelled
    if len(word) <= len(options) and all(word[k] in {r[0] for r in options[k]} for k in range(len(word))):
        return len(word)
    return 0


def _mark_spelled(text: str, word: str, prefix: bool, marks: list[bool]) -> None:
    """Mark the characters whose pinyin or initials spell `word`."""
    for run_match in HAN_RUN.finditer(text):
        options = readings(run_match.group())
        offset = run_match.start()
        for i in range(len(options)):
            length = _spelled_length(word, options[i:], prefix=prefix)
            if length:
                marks[offset + i : offset + i + length] = [True] * length


def highlight(text: str, terms: Iterable[Term], spellings: dict[str, list[str]] | None = None) -> str:
    """`text` as HTML-escaped markup with the matched parts wrapped in <mark>.

    spellings maps a Latin query word to the indexed words it was corrected to.
    """
    lowered = normalize(text)
    if len(lowered) != len(text):  # a rare character NFKC expands: compare on the raw text
        lowered = text.lower()
    marks = [False] * len(text)
    for term in terms:
        if not term.latin:
            _mark_substring(lowered, term.text, marks)
            continue
        for word in [term.text, *(spellings or {}).get(term.text, [])]:
            _mark_spelled(text, word, term.prefix, marks)
            if word.isascii():
                _mark_substring(lowered, word, marks)
    parts: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and marks[j] == marks[i]:
            j += 1
        chunk = escape(text[i:j])
        parts.append(f"{MARK_OPEN}{chunk}{MARK_CLOSE}" if marks[i] else chunk)
        i = j
    return "".join(parts)
