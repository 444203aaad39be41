"""Every earlier schema upgrades to the newest, and the migrations are frozen.

``tests/fixtures/schema/vN.sql`` are archives written by the code of each release that was
the newest at schema version N (made by ``make_dump.py`` in that directory): the seed
article and generated ones, two revisions of two of them, a failure, a crawl run where that
release could crawl. Each is loaded into a fresh file and opened with today's
``open_archive``, whatever the newest version is by then.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

import newscrawl.archive
from archive_checks import assert_archive_consistent, index_terms
from conftest import SEED_KEY, seed_article
from newscrawl.archive import open_archive
from newscrawl.archive.migrations import MIGRATIONS
from newscrawl.archive.search import (CREATE_SQL, FTS_TABLE, INDEX_VERSION, WEIGHTS, index_values, index_version,
                                      rebuild_index, search)

SCHEMA = Path(__file__).parent / "fixtures" / "schema"
ARCHIVE = Path(newscrawl.archive.__file__).parent
#: Modules of newscrawl.archive the migrations may import: how a write takes the write lock,
#: never what it writes.
MIGRATION_HELPERS = ("transaction.py",)
DUMPS = sorted(SCHEMA.glob("v*.sql"), key=lambda dump: int(dump.stem[1:]))
CORPUS = Path(__file__).parent / "fixtures" / "search" / "korean-search-corpus.json"
#: What the index holds for the seed article and the search corpus (:func:`index_fingerprint`),
#: by the INDEX_VERSION that holds it.
INDEX_FINGERPRINTS = {1: "b20a6e3e98ddf3f1d2ab16ad51f1649800404384fcc747f2abf69767e3f34dee",
                      2: "a39e9fa368da9c988c9f32e7b57d0c06151a8460a7199a9ca32e80dd3a541f77"}
#: The seed's body as the dumps' second revision has it (make_dump.EDIT) and as the fixture has it.
EDITED, ORIGINAL = "여러 행정서비스를", "다양한 행정서비스를"


def load_dump(dump: Path, path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.executescript(dump.read_text(encoding="utf-8"))
    connection.close()


def stored_tables(connection: sqlite3.Connection) -> list[str]:
    """The tables holding the archive's own data (not the search index, which is rebuilt)."""
    return [name for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE ?",
        [f"{FTS_TABLE}%"])]


def table_rows(connection: sqlite3.Connection, table: str, columns: list[str] | None = None) -> list[dict]:
    """Every row of ``table`` (only ``columns`` if given), in rowid or primary key order."""
    cursor = connection.execute(f'SELECT * FROM "{table}" ORDER BY 1, 2')  # sql: a table name read from the schema
    names = [c[0] for c in cursor.description]
    return [{name: value for name, value in zip(names, row) if columns is None or name in columns}
            for row in cursor.fetchall()]


def schema(connection: sqlite3.Connection) -> set[tuple]:
    """Every table, index and view, its SQL with whitespace runs made one space."""
    return {(kind, name, re.sub(r"\s+", " ", sql or "")) for kind, name, sql in
            connection.execute("SELECT type, name, sql FROM sqlite_master")}


@pytest.fixture(params=DUMPS, ids=lambda dump: dump.stem)
def dumped(request, tmp_path) -> tuple[int, Path, dict[str, list[dict]]]:
    """(version, upgraded archive's path, every stored row as the dump had it)."""
    path = tmp_path / "old.db"
    load_dump(request.param, path)
    connection = sqlite3.connect(path)
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    before = {table: table_rows(connection, table) for table in stored_tables(connection)}
    connection.close()
    open_archive(path).close()
    return version, path, before


def test_dumps_are_released_schemas():
    versions = [int(dump.stem[1:]) for dump in DUMPS]
    assert len(versions) >= 4 and max(versions) <= len(MIGRATIONS)
    for dump, version in zip(DUMPS, versions):
        assert dump.read_text(encoding="utf-8").startswith(f"PRAGMA user_version = {version};\n")


def test_upgrade_reaches_the_newest_version_and_its_schema(dumped, tmp_path):
    version, path, _ = dumped
    upgraded = sqlite3.connect(path)
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) >= version
    open_archive(tmp_path / "new.db").close()
    assert schema(upgraded) == schema(sqlite3.connect(tmp_path / "new.db"))
    assert_archive_consistent(path)


#: Stored tables whose rows later migrations may store another way: compared through what
#: the library and the readable views show of them (:func:`revisions_shown`, :func:`lists_shown`).
REWRITTEN = {"revisions", "related_links"}
#: Stored columns a later migration writes another way, read back the way the dumps wrote them.
AS_DUMPED = {("related_items", "item_hash"): bytes.hex}


def as_dumped(table: str, rows: list[dict]) -> list[dict]:
    return [{name: AS_DUMPED[(table, name)](value) if (table, name) in AS_DUMPED else value
             for name, value in row.items()} for row in rows]


def revisions_shown(path: Path, before: dict[str, list[dict]]) -> tuple[list[tuple], list[tuple]]:
    """Every revision as the dump held it (the current one's body in ``articles.body`` from
    version 9 on) and as ``newscrawl.Archive.revisions`` shows it after the upgrade."""
    bodies = {row["id"]: row["body"] for row in before["articles"]}
    dumped = {(row["article"], row["revision"]): (json.loads(row["data"]), row) for row in before["revisions"]}
    old, new = [], []
    with newscrawl.Archive(path) as archive:
        for rowid in bodies:
            for shown in archive.revisions(rowid):
                data, row = dumped[(rowid, shown.revision)]
                data.setdefault("body", bodies[rowid])
                assert {"title", "body"} <= shown.content.keys()
                old.append((rowid, row["revision"], {name: data[name] for name in shown.content},
                            row["first_seen_at"], row["last_seen_at"], row["page_id"]))
                new.append((rowid, shown.revision, shown.content, shown.first_seen_at, shown.last_seen_at,
                            shown.page_id))
    assert len(new) == len(before["revisions"])
    return old, new


def lists_shown(path: Path, before: dict[str, list[dict]]) -> tuple[tuple, tuple]:
    """Which headline each list showed at which rank beside which article, and over what
    time, as the dump's ``related_links`` held it and as ``list_snapshots`` shows it."""
    items = {row["id"]: row for row in before["related_items"]}
    old = [(row["article"], row["list"], row["rank"], items[row["item"]]["url"], items[row["item"]]["title"],
            row["first_seen_at"], row["last_seen_at"]) for row in before["related_links"]]
    new = sqlite3.connect(path).execute(
        "SELECT seen_beside, list, rank, url, title, first_seen_at, last_seen_at FROM list_snapshots").fetchall()
    return tuple(shown_lists(rows) for rows in (old, new))


def shown_lists(rows: list[tuple]) -> tuple[set, dict]:
    """(article, list, rank, url, title) shown; per (article, list), first and last seen."""
    seen: dict[tuple, tuple[str, str]] = {}
    for article, name, _rank, _url, _title, first, last in rows:
        earliest, latest = seen.get((article, name), (first, last))
        seen[(article, name)] = (min(earliest, first), max(latest, last))
    return {row[:5] for row in rows}, seen


def test_every_stored_row_survives(dumped):
    _, path, before = dumped
    assert {"articles", "revisions", "pages", "photos", "reporters", "failures", "related_links"} <= before.keys()
    assert all(before[table] for table in ("articles", "revisions", "photos", "reporters", "failures",
                                           "related_links"))
    upgraded = sqlite3.connect(path)
    for table, rows in before.items():
        if table not in REWRITTEN:
            assert as_dumped(table, table_rows(upgraded, table, columns=list(rows[0]) if rows else None)) == rows, table
    old, new = revisions_shown(path, before)
    assert new == old
    old, new = lists_shown(path, before)
    assert new == old


def test_sections_are_the_breadcrumbs(dumped):
    _, path, before = dumped
    paths = dict(sqlite3.connect(path).execute("SELECT id, section_path FROM article_summary"))
    assert paths == {row["id"]: " > ".join(json.loads(row["sections"])) for row in before["articles"]}
    assert "정치/행정 > 세종" in paths.values()


def test_search_is_rebuilt_by_todays_code(dumped):
    _, path, before = dumped
    db = open_archive(path)
    assert index_version(db) == INDEX_VERSION
    assert [hit["title"] for hit in search(db, "정보보호의날")] == ["세종시, 전자정부 정보보호 우수기관 선정"]
    for article in before["articles"]:
        assert article["id"] in [hit["id"] for hit in search(db, article["title"])], article["title"]
    # the current (edited) version is what is indexed, not the first revision
    (seed_id,) = [row["id"] for row in before["articles"] if row["article_id"] == SEED_KEY]
    assert [hit["id"] for hit in search(db, EDITED)] == [seed_id] and search(db, ORIGINAL) == []
    # what the upgrade built is exactly what today's rebuild builds
    terms = index_terms(db)
    rebuild_index(db)
    assert index_terms(db) == terms


def test_saving_after_the_upgrade(dumped):
    _, path, before = dumped
    (seed,) = [row for row in before["articles"] if row["article_id"] == SEED_KEY]
    assert EDITED in seed["body"] and seed["revision"] == 2
    with newscrawl.Archive(path) as archive:
        result = archive.save(seed_article("2026-12-01T10:00:00+09:00"))
        assert (result.outcome, result.revision) == ("updated", 3)
        assert archive.save(seed_article("2026-12-02T10:00:00+09:00")).outcome == "unchanged"
        assert [EDITED in shown.content["body"] for shown in archive.revisions(seed["id"])] == [False, True, False]
        assert [hit["id"] for hit in archive.search(ORIGINAL)] == [seed["id"]] and archive.search(EDITED) == []
    assert_archive_consistent(path)


def test_pages_read_back_after_the_upgrade(dumped):
    """Pages stored before keep their compression and read back exactly; a page stored after
    is compressed with its article's text; the two indexes dropped are gone."""
    _, path, before = dumped
    with newscrawl.Archive(path) as archive:
        archive.save(seed_article("2026-12-01T10:00:00+09:00"))
        pages = archive.db.execute("SELECT id, body_sha256, compression FROM pages ORDER BY id").fetchall()
        assert [compression for _, _, compression in pages] == [row["compression"] for row in before["pages"]] + [
            "zstd+text"]
        assert all(hashlib.sha256(archive.page(page_id).body).hexdigest() == digest for page_id, digest, _ in pages)
    indexes = {name for (name,) in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert not indexes & {"idx_pages_url_body_sha256", "idx_photos_url"}


def test_migrations_run_without_the_rest_of_newscrawl(tmp_path, monkeypatch):
    """Frozen: ``migrations.py`` copied into a package of its own (where no import of
    today's tokenizer, sections or store can work) upgrades the oldest dump to the same
    schema and rows."""
    package = tmp_path / "frozen_archive"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for name in ("migrations.py", *MIGRATION_HELPERS):
        if (ARCHIVE / name).exists():
            shutil.copy(ARCHIVE / name, package / name)
    monkeypatch.syspath_prepend(tmp_path)
    frozen = importlib.import_module("frozen_archive.migrations")
    load_dump(DUMPS[0], tmp_path / "standalone.db")
    load_dump(DUMPS[0], tmp_path / "package.db")
    frozen.migrate(sqlite_utils.Database(tmp_path / "standalone.db"))
    open_archive(tmp_path / "package.db").close()
    standalone, package = (sqlite3.connect(tmp_path / name) for name in ("standalone.db", "package.db"))
    index = {row for row in schema(package) if row[1].startswith(FTS_TABLE)}
    assert schema(standalone) == schema(package) - index
    for table in stored_tables(package):
        if table != "derived_data":
            assert table_rows(standalone, table) == table_rows(package, table), table


def test_an_index_built_by_other_code_is_rebuilt_on_opening(seed_archive):
    db = open_archive(seed_archive)
    db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')")  # sql: constant
    db.execute("UPDATE derived_data SET version = ?", [INDEX_VERSION - 1])
    db.conn.commit()
    assert search(db, "세종") == []
    reopened = open_archive(seed_archive)
    assert [hit["title"] for hit in search(reopened, "세종")] == ["세종시, 전자정부 정보보호 우수기관 선정"]
    assert index_version(reopened) == INDEX_VERSION


def test_a_current_index_is_not_rebuilt(seed_archive):
    """The control of the test above: with today's version recorded, opening leaves the
    index alone (emptied by hand, it stays empty)."""
    db = open_archive(seed_archive)
    db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')")  # sql: constant
    db.conn.commit()
    assert search(open_archive(seed_archive), "세종") == []


def index_fingerprint() -> str:
    """A digest of the index's layout and of what it holds for the seed article, every
    document of the search corpus, and a body of 400,000 characters (so that a limit on how
    much of a body is indexed counts too)."""
    seed = seed_article()
    documents = json.loads(CORPUS.read_text(encoding="utf-8"))["documents"]
    long_body = seed.body * (400_000 // len(seed.body) + 1)
    values = [index_values(seed.title, seed.subtitle, seed.body), index_values(None, None, long_body),
              *(index_values(None, None, document["text"]) for document in documents)]
    return hashlib.sha256(json.dumps([CREATE_SQL, WEIGHTS, values], ensure_ascii=False).encode()).hexdigest()


def test_what_the_index_holds_changes_only_with_its_version():
    """Archives rebuild their index only when INDEX_VERSION changes: a change to the
    tokenizer or the index's layout that leaves it alone would leave every archive's index
    out of step with today's queries."""
    fingerprint = index_fingerprint()
    if INDEX_VERSION not in INDEX_FINGERPRINTS:
        pytest.fail(f"INDEX_VERSION {INDEX_VERSION} is new: "
                    f"add {{{INDEX_VERSION}: {fingerprint!r}}} to INDEX_FINGERPRINTS")
    assert INDEX_FINGERPRINTS[INDEX_VERSION] == fingerprint, (
        f"what the search index holds has changed: raise INDEX_VERSION (newscrawl/archive/search.py) to "
        f"{INDEX_VERSION + 1} and add {{{INDEX_VERSION + 1}: {fingerprint!r}}} to INDEX_FINGERPRINTS")
