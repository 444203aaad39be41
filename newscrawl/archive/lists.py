"""The news lists beside articles (랭킹뉴스, 헤드라인, 포토뉴스, 관련기사 …), each content stored once.

A list as a page shows it — its headlines in rank order — is a row of ``related_lists``
(its items in ``related_list_items``), stored the first time any page shows it: the hour's
ranking list, shown beside every article fetched that hour, is kept once, not once per
article. Which article showed which list, from when to when, is a row of
``related_sightings``: extended while the article's fetches show the same list, a new row
once it changed. The ``list_snapshots`` view joins them back into one row per headline
seen beside an article.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlite_utils import Database

from ..items import RelatedItem
from .rows import insert_row, insert_rows


def record_lists(db: Database, rowid: int, related: list[RelatedItem], seen_at: str,
                 previous_fetch: str | None) -> None:
    """Record the lists ``related`` seen beside article ``rowid`` at ``seen_at``; a list it
    also showed at its previous fetch (``previous_fetch``, None for a new article) extends
    that sighting."""
    for name, entries in by_list(related):
        list_id = list_id_of(db, name, entries, seen_at, seen_at)
        extended = previous_fetch is not None and db.execute(
            "UPDATE related_sightings SET last_seen_at = ? WHERE article = ? AND related_list = ?"
            " AND last_seen_at = ?", [seen_at, rowid, list_id, previous_fetch]).rowcount
        if not extended:
            add_sighting(db, rowid, list_id, seen_at, seen_at)


def by_list(related: list[RelatedItem]) -> list[tuple[str, list[RelatedItem]]]:
    """The lists of ``related``: ``(name, entries in rank order)``. A page may show two lists
    of one name (a box repeated): a rank seen again starts the next list of that name, so
    that no entry is lost to another of the same rank."""
    lists: list[tuple[str, list[RelatedItem]]] = []
    current: dict[str, list[RelatedItem]] = {}
    for entry in related:
        entries = current.get(entry.list)
        if entries is None or any(seen.rank == entry.rank for seen in entries):
            entries = current[entry.list] = []
            lists.append((entry.list, entries))
        entries.append(entry)
    return [(name, sorted(entries, key=lambda entry: entry.rank)) for name, entries in lists]


def list_id_of(db: Database, name: str, entries: list[RelatedItem], first_seen_at: str,
               last_seen_at: str) -> int:
    """The ``related_lists`` id of list ``name`` holding ``entries``, added if never seen;
    its first and last sighting widened to take in ``first_seen_at`` to ``last_seen_at``."""
    list_hash = list_hash_of(name, entries)
    found = db.execute("SELECT id FROM related_lists WHERE list_hash = ?", [list_hash]).fetchone()
    if found is None:
        list_id = insert_row(db, "related_lists", {"list": name, "list_hash": list_hash, "items": len(entries),
                                                   "first_seen_at": first_seen_at, "last_seen_at": last_seen_at})
        insert_rows(db, "related_list_items", ("related_list", "rank", "item"),
                    ((list_id, entry.rank, item) for entry, item in zip(entries, _item_ids(db, entries))))
        return list_id
    db.execute("UPDATE related_lists SET first_seen_at = min(first_seen_at, ?), last_seen_at = max(last_seen_at, ?)"
               " WHERE id = ? AND (first_seen_at > ? OR last_seen_at < ?)",
               [first_seen_at, last_seen_at, found[0], first_seen_at, last_seen_at])
    return found[0]


def list_hash_of(name: str, entries: list[RelatedItem]) -> bytes:
    """What identifies list ``name`` holding ``entries`` (in rank order)."""
    return _hash([name, [[e.rank, e.url, e.title, e.summary] for e in entries]])


def lists_seen(db: Database, rowid: int, seen_at: str) -> set[bytes]:
    """The hashes of the lists article ``rowid`` showed at its fetch at ``seen_at``."""
    return {list_hash for (list_hash,) in db.execute(
        "SELECT r.list_hash FROM related_sightings s JOIN related_lists r ON r.id = s.related_list"
        " WHERE s.article = ? AND s.last_seen_at = ?", [rowid, seen_at])}


def add_sighting(db: Database, rowid: int, list_id: int, first_seen_at: str, last_seen_at: str) -> None:
    insert_row(db, "related_sightings", {"article": rowid, "related_list": list_id,
                                         "first_seen_at": first_seen_at, "last_seen_at": last_seen_at})


def _item_ids(db: Database, entries: list[RelatedItem]) -> list[int]:
    """The ``related_items`` id of each entry, adding the headlines not seen before."""
    hashes = [_hash([entry.url, entry.title, entry.summary]) for entry in entries]
    ids = dict(db.execute(  # sql: one ? per hash
        f"SELECT item_hash, id FROM related_items WHERE item_hash IN ({', '.join('?' * len(hashes))})",
        hashes).fetchall()) if hashes else {}
    for entry, item_hash in zip(entries, hashes):
        if item_hash not in ids:
            ids[item_hash] = insert_row(db, "related_items", {
                "item_hash": item_hash, "url": entry.url, "title": entry.title, "summary": entry.summary,
            })
    return [ids[item_hash] for item_hash in hashes]


def _hash(identity: list[Any]) -> bytes:
    """The SHA-1 of ``identity``: its 20 bytes, half what its hex digits took in the table and its index."""
    return hashlib.sha1(json.dumps(identity, ensure_ascii=False).encode()).digest()
