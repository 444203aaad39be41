"""Finds SQL built by string formatting in Python source: the test that keeps values out of SQL.

A value put into SQL by formatting (an f-string, ``%``, ``.format()``, ``+``) is an injection
waiting for a title with a quote in it; values go in as parameters (``?``, ``:name``). SQL
text may still be assembled from code constants (a table name, a list of ``?``
placeholders, a fixed WHERE fragment), but each such place must say so in a comment
``# sql: <why this is safe>`` on one of its lines or the line above it, so a reviewer sees
every one and a new one cannot slip in unremarked.

What counts as SQL built by formatting:

* the SQL argument of a call to ``execute``, ``executemany``, ``executescript``, ``query`` or
  ``execute_write`` that is an f-string with a replacement field, a ``%`` or ``+`` on a
  string, or a ``.format()`` call;
* anywhere else, such an expression whose literal text reads like SQL (a keyword such as
  ``SELECT``, ``INSERT INTO``, ``WHERE``, ``PRAGMA``, upper or lower case), which catches
  SQL assembled first and executed later.

It is a source scan, not a proof: SQL built in a helper from variables with no SQL-looking
text would pass. It keeps the common slip out, and the exceptions in plain view.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SQL_METHODS = frozenset({"execute", "executemany", "executescript", "query", "execute_write"})
_SQL_TEXT = re.compile(
    r"\b(?:select\s.+\sfrom|insert\s+into|delete\s+from|update\s+\w+\s+set|create\s+(?:virtual\s+|unique\s+)?"
    r"(?:table|index|view|trigger)|drop\s+(?:table|index|view)|pragma\s+\w+|where\s+[\w.(]+\s*(?:=|in\b|is\b|match\b|<|>))",
    re.IGNORECASE | re.DOTALL)
WHITELIST = re.compile(r"#\s*sql:\s*\S")


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    source: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.source}"


def formatted(node: ast.AST) -> bool:
    """Is ``node`` a string built by formatting (f-string with a field, %, .format(), +)?"""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return _stringy(node.left) or _stringy(node.right)
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
            and _stringy(node.func.value))


def _stringy(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(node, ast.JoinedStr) \
        or formatted(node)


def literal_text(node: ast.AST) -> str:
    """The literal parts of a string expression, joined (what it reads like)."""
    return " ".join(n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str))


def sql_argument(call: ast.Call) -> ast.AST | None:
    if not (isinstance(call.func, ast.Attribute) and call.func.attr in SQL_METHODS):
        return None
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "sql"), None)


def suspects(tree: ast.AST) -> Iterator[ast.AST]:
    """Formatted strings passed as SQL, or reading like SQL."""
    passed = {id(arg) for call in ast.walk(tree) if isinstance(call, ast.Call)
              for arg in [sql_argument(call)] if arg is not None and formatted(arg)}
    for node in ast.walk(tree):
        if formatted(node) and (id(node) in passed or _SQL_TEXT.search(literal_text(node))):
            yield node


def statement_of(tree: ast.AST, node: ast.AST) -> ast.stmt:
    """The innermost statement holding ``node``."""
    holding = [s for s in ast.walk(tree) if isinstance(s, ast.stmt)
               and s.lineno <= node.lineno and node.end_lineno <= s.end_lineno]
    return max(holding, key=lambda s: (s.lineno, -s.end_lineno))


def scan(path: Path) -> list[Finding]:
    """The places in ``path`` that build SQL by formatting with no ``# sql:`` comment on the
    lines of their statement or the line above it."""
    source = path.read_text(encoding="utf-8")
    lines, tree = source.splitlines(), ast.parse(source)
    findings: dict[int, Finding] = {}
    for node in suspects(tree):
        statement = statement_of(tree, node)
        if not any(WHITELIST.search(line) for line in lines[max(statement.lineno - 2, 0):statement.end_lineno]):
            findings.setdefault(node.lineno, Finding(path, node.lineno, lines[node.lineno - 1].strip()))
    return list(findings.values())
