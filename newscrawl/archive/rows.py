"""Writing rows with plain SQL statements, for the writes every stored article makes.

sqlite-utils' ``Table.insert()`` reads the table's schema (and the list of views) on every
call and wraps each row in a savepoint: a dozen statements for one row, and the larger part
of the time it took to store an article. The archive's tables are made by its migrations,
so their columns are known: these helpers send one ``INSERT`` per row (or per batch), with
every value as a parameter and only the code's own table and column names in the SQL text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlite_utils import Database


def json_text(value: Any) -> str:
    """``value`` as the archive stores JSON: UTF-8, no space after a separator (a tenth of
    the bytes of an article's ``sources``, a twentieth of a page's headers)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _insert_sql(table: str, columns: Iterable[str], verb: str = "INSERT") -> str:
    names = list(columns)
    # sql: the code's own table and column names, and one ? per value
    return (f'{verb} INTO "{table}" ({", ".join(f"[{name}]" for name in names)})'
            f' VALUES ({", ".join("?" * len(names))})')


def insert_row(db: Database, table: str, row: Mapping[str, Any], ignore: bool = False) -> int:
    """Insert ``row`` into ``table`` (``ignore``: unless it breaks a unique key); its rowid."""
    sql = _insert_sql(table, row, "INSERT OR IGNORE" if ignore else "INSERT")
    return db.execute(sql, list(row.values())).lastrowid


def insert_rows(db: Database, table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples of values in the order of ``columns``) into ``table``."""
    db.conn.executemany(_insert_sql(table, columns), rows)


def update_row(db: Database, table: str, rowid: int, values: Mapping[str, Any]) -> None:
    """Set ``values`` in row ``rowid`` of ``table``."""
    assignments = ", ".join(f"[{name}] = ?" for name in values)
    # sql: the code's own table and column names; every value a parameter
    db.execute(f'UPDATE "{table}" SET {assignments} WHERE rowid = ?', [*values.values(), rowid])
