"""Chinese text analysis in Python, so that neither backend needs a server plugin.

Both backends index the same pre-computed tokens with stock analyzers (whitespace-split):
- grams: overlapping character bigrams of every run of Chinese characters, in order, so that a
  phrase of bigrams is exactly a substring ("蛭子" and "街蛭子" are found in "长街蛭子");
- chars: single characters, for one-character queries;
- pinyin: toneless pinyin of each jieba word, each bigram and each short run ("zhizi",
  "changjiezhizi"), plus Latin words as written ("500g", "seafood");
- initials: first letters of the same spans ("zz", "cjzz").

Queries are cut the same way (query_clauses), so "宁海 蛭子", "zhi zi" and "cjzz" mean the same
on both backends.
"""

import itertools
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RUN = re.compile(f"[{HAN}]+")
TOKEN = re.compile(f"[{HAN}]+|[a-z0-9]+")
# Whole runs up to this length also get one pinyin and one initials token ("changjiezhizi"):
# long enough for product and place names, short enough to keep story sentences out.
WHOLE_RUN_MAX = 8
MAX_QUERY_LENGTH = 100
# Polyphonic characters: how many readings each keeps, and how many spellings a span may get.
MAX_READINGS = 2
MAX_SPELLINGS = 4

_jieba_lock = threading.Lock()
_tokenizer = None


def jieba_tokenizer():
    """The process-wide jieba tokenizer, initialised once (about half a second).

    Its dictionary cache goes under VAR_DIR, never the system temp dir.
    """
    global _tokenizer
    if _tokenizer is None:
        with _jieba_lock:
            if _tokenizer is None:
                import jieba

                cache_dir = Path(settings.VAR_DIR) / "jieba"
                cache_dir.mkdir(parents=True, exist_ok=True)
                jieba.setLogLevel(logging.WARNING)
                jieba.dt.tmp_dir = str(cache_dir)
                jieba.dt.initialize()
                _tokenizer = jieba.dt
    return _tokenizer


def normalize(text: str) -> str:
    """Full-width to half-width, lower case: what both index and queries are compared in."""
    return unicodedata.normalize("NFKC", text or "").lower()


@lru_cache(maxsize=50_000)
def readings(run: str) -> tuple[tuple[str, ...], ...]:
    """Toneless pinyin readings of each character of a run of Chinese characters, the likeliest
    in context first ("lv" for 绿). pypinyin knows the reading inside common words (长街: chang);
    elsewhere a character keeps up to MAX_READINGS readings (脯: pu, fu)."""
    from pypinyin import Style, pinyin

    result = pinyin(run, style=Style.NORMAL, heteronym=True, errors=lambda chars: [[c] for c in chars])
    if len(result) != len(run):
        result = [pinyin(ch, style=Style.NORMAL, heteronym=True)[0] for ch in run]
    return tuple(tuple(dict.fromkeys(options[:MAX_READINGS])) for options in result)


def spellings_of(run: str, start: int, end: int) -> list[tuple[str, str]]:
    """(pinyin, initials) of run[start:end] for each combination of readings, at most MAX_SPELLINGS."""
    combos = itertools.islice(itertools.product(*readings(run)[start:end]), MAX_SPELLINGS)
    return [("".join(combo), "".join(s[0] for s in combo)) for combo in combos]


def bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)] or [run]


def _phonetic_spans(run: str) -> set[tuple[int, int]]:
    words = [(start, end) for _word, start, end in jieba_tokenizer().tokenize(run)]
    spans = {(start, end) for _word, start, end in jieba_tokenizer().tokenize(run, mode="search") if end - start >= 2}
    # Two or three adjacent words too, so that "tpsh" finds 铁皮石斛 inside a long name.
    for size in (2, 3):
        spans.update((words[i][0], words[i + size - 1][1]) for i in range(len(words) - size + 1))
    spans.update((i, i + 2) for i in range(len(run) - 1))
    if len(run) <= WHOLE_RUN_MAX:
        spans.add((0, len(run)))
    return spans


@lru_cache(maxsize=100_000)
def phonetic_tokens(run: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Pinyin and initials tokens of one run of Chinese characters. Cached: names of places,
    producers and products recur across a catalogue, and jieba plus pypinyin cost ~0.1 ms a run."""
    pinyin: list[str] = []
    initials: list[str] = []
    for start, end in sorted(_phonetic_spans(run)):
        for full, letters in spellings_of(run, start, end):
            pinyin.append(full)
            initials.append(letters)
    return tuple(pinyin), tuple(initials)


@dataclass
class Tokens:
    """The analysed tokens of one group of fields (title, meta or body)."""

    grams: list[str] = field(default_factory=list)
    chars: list[str] = field(default_factory=list)
    pinyin: list[str] = field(default_factory=list)
    initials: list[str] = field(default_factory=list)

    def joined(self) -> dict[str, str]:
        return {name: " ".join(getattr(self, name)) for name in ("grams", "chars", "pinyin", "initials")}


def analyze(texts: Iterable[str], *, phonetic: bool = True) -> Tokens:
    """Tokens of several field values; phonetic=False leaves out pinyin (long story text)."""
    tokens = Tokens()
    for text in texts:
        for match in TOKEN.finditer(normalize(text)):
            run = match.group()
            if not HAN_RUN.fullmatch(run):
                if phonetic:
                    tokens.pinyin.append(run)
                continue
            tokens.chars.extend(run)
            tokens.grams.extend(bigrams(run))
            if phonetic:
                pinyin, initials = phonetic_tokens(run)
                tokens.pinyin.extend(pinyin)
                tokens.initials.extend(initials)
    return tokens


# --- Queries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One thing a product must contain: Chinese text as a substring, or a Latin word that is
    pinyin, initials or a word as written. prefix: the shopper is still typing it."""

    text: str
    latin: bool = False
    prefix: bool = False

    @property
    def grams(self) -> list[str]:
        return bigrams(self.text)


# A clause matches when any of its alternatives does; an alternative when all of its terms do.
Alternative = tuple[Term, ...]
Clause = tuple[Alternative, ...]


def _query_words(text: str) -> list[str]:
    """jieba's words of a query, with runs of single characters joined back together (蛭 子 →
    蛭子, a word jieba does not know) and a lone character left over ("的") dropped, as it would
    match almost anything on its own."""
    words: list[str] = []
    pending = ""
    for word in jieba_tokenizer().cut(text, HMM=False):
        if len(word) == 1:
            pending += word
            continue
        if len(pending) > 1:
            words.append(pending)
        pending = ""
        words.append(word)
    if len(pending) > 1:
        words.append(pending)
    return words


def _han_clause(run: str, synonyms: Mapping[str, str]) -> Clause:
    variants = [run] + [run.replace(variant, term) for variant, term in synonyms.items() if variant in run]
    alternatives: list[Alternative] = []
    for text in dict.fromkeys(variants):
        alternatives.append((Term(text),))
        words = _query_words(text)
        if len(words) > 1:
            alternatives.append(tuple(Term(w) for w in words))
    return tuple(dict.fromkeys(alternatives))


def _latin_clause(words: list[str], synonyms: Mapping[str, str], *, prefix: bool) -> Clause:
    joined = "".join(words)
    alternatives: list[Alternative] = [(Term(joined, latin=True, prefix=prefix),)]
    if len(words) > 1:
        last = len(words) - 1
        alternatives.append(tuple(Term(w, latin=True, prefix=prefix and i == last) for i, w in enumerate(words)))
    for key in (" ".join(words), joined):
        if key in synonyms:
            alternatives.append((Term(synonyms[key]),))
    return tuple(dict.fromkeys(alternatives))


def query_clauses(query: str, *, synonyms: Mapping[str, str] | None = None, prefix_last: bool = False) -> list[Clause]:
    """Cut a shopper's query into clauses that must all match.

    Each run of Chinese characters is one clause (itself, or its jieba words, or the same with a
    staff synonym substituted: 蛏子 → 蛭子). Adjacent Latin words form one clause, read as one
    pinyin string ("shi hu" → "shihu") or as separate words ("ninghai zhizi"). prefix_last marks
    the last Latin word as unfinished, for autocompletion.
    """
    synonyms = synonyms or {}
    text = normalize(query)[:MAX_QUERY_LENGTH]
    clauses: list[Clause] = []
    latin_words: list[str] = []
    ends_latin = bool(re.search(r"[a-z0-9]$", text))

    def flush(prefix: bool) -> None:
        if latin_words:
            clauses.append(_latin_clause(latin_words, synonyms, prefix=prefix))
            latin_words.clear()

    for match in TOKEN.finditer(text):
        run = match.group()
        if HAN_RUN.fullmatch(run):
            flush(False)
            clauses.append(_han_clause(run, synonyms))
        else:
            latin_words.append(run)
    flush(prefix_last and ends_latin)
    return clauses


def title_key(text: str) -> str:
    """A title or whole query reduced for exact comparison: normalised, without spaces."""
    return re.sub(r"\s+", "", normalize(text))


def clause_terms(clauses: list[Clause]) -> list[Term]:
    """Every distinct term of the clauses, for highlighting and spelling expansion."""
    return list(dict.fromkeys(term for clause in clauses for alternative in clause for term in alternative))
