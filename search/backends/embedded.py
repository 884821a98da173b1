"""The embedded backend: an SQLite FTS5 index in a file under SEARCH_INDEX_DIR.

Needs no server, so it is the default. The analysed tokens (search.analysis) go into FTS5
columns split on whitespace by the stock unicode61 tokenizer; ranking is FTS5's bm25 with the
title weighted above places and producers, and those above the story. Facets are an indexed
side table counted with GROUP BY over the matching rows.

Like an Elasticsearch alias, a pointer file names the index file being searched: a rebuild fills
a new file and then replaces the pointer atomically, so searches never see a half-built index.
"""

import datetime
import logging
import os
import sqlite3
import uuid
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from search.analysis import Term, clause_terms, title_key
from search.backends.base import Progress, SearchBackend
from search.documents import IndexDocument
from search.facets import facet_label, facet_sort_key
from search.highlight import highlight
from search.query import EXACT_TITLE_BOOST, LIVE_BOOST, FacetValue, Hit, SearchRequest, SearchResults, Suggestion
from search.spelling import closest, deletions, max_edits

logger = logging.getLogger(__name__)
SCHEMA_VERSION = "1"
TOKEN_COLUMNS = (
    "title_grams", "title_chars", "title_pinyin", "title_initials",
    "meta_grams", "meta_chars", "meta_pinyin", "meta_initials",
    "body_grams", "body_chars",
)
# bm25 weights, in TOKEN_COLUMNS order: a match in the title counts most, the story least.
WEIGHTS = (10.0, 3.0, 8.0, 6.0, 3.0, 1.0, 2.5, 2.0, 1.0, 0.3)
# Column sets a term is looked for in: everywhere when searching, the name only when completing.
COLUMNS = {
    "search": {
        "grams": "{title_grams meta_grams body_grams}",
        "chars": "{title_chars meta_chars body_chars}",
        "spelled": "{title_pinyin meta_pinyin title_initials meta_initials}",
    },
    "complete": {"grams": "{title_grams}", "chars": "{title_chars}", "spelled": "{title_pinyin title_initials}"},
}

SCHEMA = f"""
PRAGMA journal_mode = WAL;
CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE product (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, url TEXT NOT NULL, subtitle TEXT NOT NULL, title_key TEXT NOT NULL,
    price_min_fen INTEGER, price_max_fen INTEGER, in_stock INTEGER NOT NULL, live_now INTEGER NOT NULL,
    sales_count INTEGER NOT NULL, published_at TEXT
);
CREATE VIRTUAL TABLE docs USING fts5({", ".join(TOKEN_COLUMNS)}, tokenize = 'unicode61 remove_diacritics 0');
CREATE TABLE facet_key (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value TEXT NOT NULL, label TEXT NOT NULL,
                        UNIQUE (name, value));
CREATE TABLE facet (
    product_id INTEGER NOT NULL, key_id INTEGER NOT NULL, PRIMARY KEY (product_id, key_id)
) WITHOUT ROWID;
CREATE INDEX facet_by_key ON facet (key_id, product_id);
CREATE TABLE vocab (term TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (term, kind)) WITHOUT ROWID;
CREATE TABLE vocab_delete (variant TEXT NOT NULL, term TEXT NOT NULL, PRIMARY KEY (variant, term)) WITHOUT ROWID;
"""

ORDER_BY = {
    "relevance": "m.score DESC, p.sales_count DESC, p.id",
    "price_asc": "p.price_min_fen IS NULL, p.price_min_fen ASC, m.score DESC, p.id",
    "price_desc": "p.price_min_fen DESC, m.score DESC, p.id",
    "sales": "p.sales_count DESC, m.score DESC, p.id",
    "newest": "p.published_at DESC, p.id DESC",
    # Completions rank like Elasticsearch's completion suggester, by weight (sales), then the
    # shorter name: typing "zhizi" offers 长街蛭子 before 长街蛭子干 when neither sells more.
    "completion": "p.sales_count DESC, length(p.title), p.id",
}
BATCH = 500


def _quote(token: str) -> str:
    return '"' + token.replace('"', "") + '"'


def _term_expression(term: Term, spellings: dict[str, list[str]], columns: dict[str, str]) -> str:
    if not term.latin:
        if len(term.text) == 1:
            return f"{columns['chars']} : {_quote(term.text)}"
        return f"{columns['grams']} : {_quote(' '.join(term.grams))}"
    star = " *" if term.prefix else ""
    words = [term.text, *spellings.get(term.text, [])]
    return f"{columns['spelled']} : ({' OR '.join(_quote(w) + star for w in words)})"


def match_expression(clauses, spellings: dict[str, list[str]], *, completing: bool = False) -> str:
    """The FTS5 MATCH string: every clause, any of its alternatives, all of an alternative's terms."""
    columns = COLUMNS["complete" if completing else "search"]
    return " AND ".join(
        "("
        + " OR ".join("(" + " AND ".join(_term_expression(t, spellings, columns) for t in alt) + ")" for alt in clause)
        + ")"
        for clause in clauses
    )


class EmbeddedBackend(SearchBackend):
    name = "embedded"

    def __init__(self, directory: str | Path | None = None, index_name: str | None = None):
        self.directory = Path(directory or settings.SEARCH_INDEX_DIR)
        self.index_name = index_name or settings.SEARCH_INDEX_NAME

    # --- files -----------------------------------------------------------------------------

    @property
    def _pointer(self) -> Path:
        return self.directory / f"{self.index_name}.current"

    def current_path(self) -> Path | None:
        try:
            path = self.directory / self._pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return path if path.exists() else None

    def _connect(self, path: Path) -> sqlite3.Connection:
        connection = sqlite3.connect(path, timeout=20, isolation_level=None)
        connection.execute("PRAGMA busy_timeout = 20000")
        return connection

    def _create(self) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        path = self.directory / f"{self.index_name}-{stamp}-{uuid.uuid4().hex[:8]}.sqlite3"
        with closing(self._connect(path)) as connection:
            connection.executescript(SCHEMA)
            connection.executemany(
                "INSERT INTO info (key, value) VALUES (?, ?)",
                [("schema", SCHEMA_VERSION), ("built_at", timezone.now().isoformat())],
            )
        return path

    def _swap(self, path: Path) -> None:
        """Point searches at `path` (atomic rename), then remove the files it replaces."""
        previous = self.current_path()
        temporary = self._pointer.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp")
        temporary.write_text(path.name, encoding="utf-8")
        os.replace(temporary, self._pointer)
        if previous and previous != path:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{previous}{suffix}").unlink(missing_ok=True)

    def _schema_of(self, path: Path) -> str | None:
        try:
            with closing(self._connect(path)) as connection:
                row = connection.execute("SELECT value FROM info WHERE key = 'schema'").fetchone()
        except sqlite3.DatabaseError:
            return None
        return row[0] if row else None

    def _ensure(self) -> Path:
        """The current index file, made new when there is none or it has another schema.

        An index written by another version of this code is replaced by an empty one (and a
        warning says to run `search_index rebuild`), so writes never fail on a stale file.
        """
        path = self.current_path()
        if path is not None and self._schema_of(path) != SCHEMA_VERSION:
            logger.warning("search index %s has another schema; run `manage.py search_index rebuild`", path.name)
            path = None
        if path is None:
            path = self._create()
            self._swap(path)
        return path

    # --- writing ---------------------------------------------------------------------------

    def _write(self, connection: sqlite3.Connection, documents: list[IndexDocument]) -> None:
        ids = [(d.id,) for d in documents]
        connection.executemany("DELETE FROM product WHERE id = ?", ids)
        connection.executemany("DELETE FROM docs WHERE rowid = ?", ids)
        connection.executemany("DELETE FROM facet WHERE product_id = ?", ids)
        products, docs, facets, pinyin, initials = [], [], [], set(), set()
        for document in documents:
            s = document.source
            published = s.published_at.astimezone(datetime.UTC).isoformat() if s.published_at else None
            products.append((
                s.id, s.title, s.url, s.subtitle, title_key(s.title), s.price_min_fen, s.price_max_fen,
                int(s.in_stock), int(s.live_now), s.sales_count, published,
            ))
            fields = document.token_fields()
            docs.append((s.id, *(fields[column] for column in TOKEN_COLUMNS)))
            facets.extend(
                (s.id, name, value, label) for name, pairs in document.facets.items() for value, label in pairs
            )
            pinyin.update(document.title.pinyin + document.meta.pinyin)
            initials.update(document.title.initials + document.meta.initials)
        connection.executemany("INSERT INTO product VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", products)
        placeholders = ", ".join("?" * (len(TOKEN_COLUMNS) + 1))
        connection.executemany(f"INSERT INTO docs (rowid, {', '.join(TOKEN_COLUMNS)}) VALUES ({placeholders})", docs)
        connection.executemany(
            "INSERT INTO facet_key (name, value, label) VALUES (?, ?, ?) "
            "ON CONFLICT (name, value) DO UPDATE SET label = excluded.label",
            sorted({(name, value, label) for _id, name, value, label in facets}),
        )
        keys = {(name, value): key for key, name, value in connection.execute("SELECT id, name, value FROM facet_key")}
        connection.executemany(
            "INSERT OR IGNORE INTO facet VALUES (?, ?)", [(pid, keys[(name, value)]) for pid, name, value, _l in facets]
        )
        connection.executemany("INSERT OR IGNORE INTO vocab VALUES (?, 'pinyin')", [(t,) for t in pinyin])
        connection.executemany("INSERT OR IGNORE INTO vocab VALUES (?, 'initials')", [(t,) for t in initials])
        connection.executemany(
            "INSERT OR IGNORE INTO vocab_delete VALUES (?, ?)",
            [(variant, term) for term in pinyin if max_edits(term) for variant in {term, *deletions(term)}],
        )

    def _write_batches(self, path: Path, documents: Iterable[IndexDocument], progress: Progress | None) -> int:
        written = 0
        batch: list[IndexDocument] = []
        with closing(self._connect(path)) as connection:

            def flush() -> None:
                nonlocal written
                connection.execute("BEGIN IMMEDIATE")
                try:
                    self._write(connection, batch)
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
                written += len(batch)
                batch.clear()
                if progress:
                    progress(written)

            for document in documents:
                batch.append(document)
                if len(batch) >= BATCH:
                    flush()
            if batch:
                flush()
        return written

    def rebuild(self, documents: Iterable[IndexDocument], *, progress: Progress | None = None) -> int:
        path = self._create()
        try:
            written = self._write_batches(path, documents, progress)
            with closing(self._connect(path)) as connection:
                connection.execute("INSERT INTO docs (docs) VALUES ('optimize')")
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except BaseException:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            raise
        self._swap(path)
        return written

    def upsert(self, documents: Iterable[IndexDocument]) -> int:
        return self._write_batches(self._ensure(), documents, None)

    def delete(self, product_ids: Iterable[int]) -> None:
        ids = [(int(i),) for i in product_ids]
        path = self.current_path()
        if not ids or path is None:
            return
        with closing(self._connect(path)) as connection:
            connection.execute("BEGIN IMMEDIATE")
            for table, column in (("product", "id"), ("docs", "rowid"), ("facet", "product_id")):
                connection.executemany(f"DELETE FROM {table} WHERE {column} = ?", ids)
            connection.execute("COMMIT")

    # --- reading ---------------------------------------------------------------------------

    def _spellings(self, connection: sqlite3.Connection, terms: list[Term]) -> dict[str, list[str]]:
        """Indexed pinyin words a mistyped Latin word probably meant (none if it is indexed)."""
        spellings: dict[str, list[str]] = {}
        for term in terms:
            if not term.latin or not max_edits(term.text):
                continue
            if term.prefix:
                found = connection.execute(
                    "SELECT 1 FROM vocab WHERE term >= ? AND term < ? LIMIT 1", (term.text, term.text + "\uffff")
                ).fetchone()
            else:
                found = connection.execute("SELECT 1 FROM vocab WHERE term = ? LIMIT 1", (term.text,)).fetchone()
            if found:
                continue
            variants = sorted({term.text, *deletions(term.text)})
            rows = connection.execute(
                f"SELECT DISTINCT term FROM vocab_delete WHERE variant IN ({', '.join('?' * len(variants))})", variants
            ).fetchall()
            spellings[term.text] = closest(term.text, {row[0] for row in rows})
        return spellings

    def _collect_matches(self, connection: sqlite3.Connection, request: SearchRequest, expression: str | None) -> None:
        """Fill the temporary table `matched` (id, score) once; count, page and facets read it."""
        # Placeholders in statement order: exact titles, the MATCH expression, then filters.
        keys = list(request.exact_titles) or [""]
        params: list = list(keys)
        if expression:
            weights = ", ".join(str(w) for w in WEIGHTS)
            hits = f"SELECT rowid AS id, -bm25(docs, {weights}) AS score FROM docs WHERE docs MATCH ?"
            params.append(expression)
        else:
            hits = "SELECT id, 0.0 AS score FROM product"
        conditions = []
        for name, values in sorted(request.filters.items()):
            if values:
                marks = ", ".join("?" * len(values))
                conditions.append(
                    "EXISTS (SELECT 1 FROM facet f JOIN facet_key k ON k.id = f.key_id "
                    f"WHERE f.product_id = p.id AND k.name = ? AND k.value IN ({marks}))"
                )
                params.extend([name, *values])
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        # Live products and the product named exactly as the query rank higher.
        connection.execute(
            f"CREATE TEMP TABLE matched AS SELECT h.id AS id, h.score * "
            f"(CASE WHEN p.live_now THEN {LIVE_BOOST} ELSE 1.0 END) * "
            f"(CASE WHEN p.title_key IN ({', '.join('?' * len(keys))}) THEN {EXACT_TITLE_BOOST} ELSE 1.0 END) AS score "
            f"FROM ({hits}) h JOIN product p ON p.id = h.id {where}",
            params,
        )

    def _hit(self, row: tuple, terms: list[Term], spellings: dict[str, list[str]]) -> Hit:
        (id_, title, url, subtitle, price_min, price_max, in_stock, live_now, sales, published, score) = row
        return Hit(
            id=id_, title=title, url=url, subtitle=subtitle, price_min_fen=price_min, price_max_fen=price_max,
            in_stock=bool(in_stock), live_now=bool(live_now), sales_count=sales,
            published_at=datetime.datetime.fromisoformat(published) if published else None,
            highlight=highlight(title, terms, spellings), score=round(score, 6),
        )

    def _query(self, request: SearchRequest, *, facets: bool, completing: bool = False) -> SearchResults:
        path = self._ensure()
        with closing(self._connect(path)) as connection:
            terms = clause_terms(list(request.clauses))
            spellings = self._spellings(connection, terms)
            expression = (
                match_expression(request.clauses, spellings, completing=completing) if request.clauses else None
            )
            self._collect_matches(connection, request, expression)
            count = connection.execute("SELECT count(*) FROM matched").fetchone()[0]
            rows = connection.execute(
                "SELECT p.id, p.title, p.url, p.subtitle, p.price_min_fen, p.price_max_fen, p.in_stock, "
                "p.live_now, p.sales_count, p.published_at, m.score FROM matched m JOIN product p ON p.id = m.id "
                f"ORDER BY {ORDER_BY.get(request.sort, ORDER_BY['relevance'])} LIMIT ? OFFSET ?",
                [request.page_size, request.offset],
            ).fetchall()
            facet_rows = (
                connection.execute(
                    "SELECT k.name, k.value, k.label, c.n FROM (SELECT f.key_id, count(*) AS n FROM matched m "
                    "JOIN facet f ON f.product_id = m.id GROUP BY f.key_id) c JOIN facet_key k ON k.id = c.key_id"
                ).fetchall()
                if facets
                else []
            )
        grouped: dict[str, list[FacetValue]] = {}
        for name, value, label, number in facet_rows:
            grouped.setdefault(name, []).append(FacetValue(value, facet_label(name, value, label), number))
        for name, values in grouped.items():
            values.sort(key=lambda v, n=name: facet_sort_key(n, v.value, v.count))
        return SearchResults(
            count=count,
            hits=[self._hit(row, terms, spellings) for row in rows],
            facets=grouped,
            page=request.page,
            page_size=request.page_size,
        )

    def search(self, request: SearchRequest) -> SearchResults:
        return self._query(request, facets=True)

    def suggest(self, request: SearchRequest, *, limit: int = 8) -> list[Suggestion]:
        if not request.clauses:
            return []
        page = SearchRequest(
            query=request.query, clauses=request.clauses, exact_titles=request.exact_titles, page_size=limit,
            sort="completion",
        )
        hits = self._query(page, facets=False, completing=True).hits
        return [Suggestion(text=hit.title, url=hit.url, id=hit.id) for hit in hits]

    def status(self) -> dict:
        path = self.current_path()
        status = {"backend": self.name, "index": str(path) if path else None, "documents": 0, "built_at": None}
        if path is None:
            return status
        with closing(self._connect(path)) as connection:
            status["documents"] = connection.execute("SELECT count(*) FROM product").fetchone()[0]
            status["built_at"] = connection.execute("SELECT value FROM info WHERE key = 'built_at'").fetchone()[0]
        status["size_bytes"] = path.stat().st_size
        return status
