"""Unknown keys in a settings file are mistakes, not silence.

A misspelt key in the office file (`timzone`, `qouta`, a whole `[polcy]`
table) would otherwise be ignored and the office would run on defaults. The
office file's parser reads its tables through `TrackedTable`, which records
every key the parser asked for (present or not); what the file holds beyond
those is unknown, and each is named by its full path with the nearest key the
parser knows. Reading the parser's own questions (rather than a second list of
keys kept beside it) keeps the two from drifting apart: a new setting is known
as soon as the parser reads it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from typing import Any

_INDEX = re.compile(r"\[\d+\]")


class TrackedTable(dict[str, Any]):
    """A TOML table that remembers which keys were asked for. Iterating over it
    (a table whose keys are data, not settings) counts as asking for all."""

    def __init__(self, data: dict[str, Any], path: str = "") -> None:
        super().__init__()
        self.path = path
        self.asked: set[str] = set()
        for key, value in data.items():
            super().__setitem__(key, _track(value, _join(path, key)))

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        self.asked.update(super().keys())
        return super().__iter__()

    def keys(self) -> Any:
        self.asked.update(super().keys())
        return super().keys()

    def items(self) -> Any:
        self.asked.update(super().keys())
        return super().items()

    def values(self) -> Any:
        self.asked.update(super().keys())
        return super().values()


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _track(value: Any, path: str) -> Any:
    if isinstance(value, dict):
        return TrackedTable(value, path)
    if isinstance(value, list):
        return [_track(item, f"{path}[{i}]") for i, item in enumerate(value)]
    return value


def track(raw: dict[str, Any]) -> TrackedTable:
    """The parsed TOML document, ready to be read by a parser."""
    return TrackedTable(raw)


def _tables(value: Any) -> Iterator[TrackedTable]:
    if isinstance(value, TrackedTable):
        yield value
        for item in dict.values(value):
            yield from _tables(item)
    elif isinstance(value, list):
        for item in value:
            yield from _tables(item)


def _children(table: TrackedTable, key: str) -> Iterator[TrackedTable]:
    """The tables right under `key` (a table, or an array of tables)."""
    value = dict.__getitem__(table, key)
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, TrackedTable):
            yield item


def nearest(key: str, candidates: Iterable[str]) -> str | None:
    """The known key `key` was most likely meant to be, if any is close."""
    matches = difflib.get_close_matches(key, sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown_key_message(path: str, key: str, candidates: Iterable[str]) -> str:
    """`office.timzone: unknown key; did you mean `timezone`?`"""
    candidates = sorted(set(candidates))
    guess = nearest(key, candidates)
    hint = f"did you mean `{guess}`?" if guess else (
        "known keys here: " + ", ".join(f"`{c}`" for c in candidates)
        if candidates else "this table takes no keys")
    return f"{_join(path, key)}: unknown key; {hint}"


def unknown_keys(document: TrackedTable, allowed: Iterable[str] = ()) -> list[str]:
    """One message per key the parser never asked for, in file order.
    `allowed` names top-level tables read by someone else (a device's table in
    the office file). Tables of the same kind (every `services[i]`) share their
    known keys, so a suggestion does not depend on which one held the typo."""
    allowed = set(allowed)
    tables = list(_tables(document))
    known: dict[str, set[str]] = {}
    for table in tables:
        known.setdefault(_INDEX.sub("[]", table.path), set()).update(table.asked)
    known.setdefault("", set()).update(allowed)
    problems: list[str] = []

    def check(table: TrackedTable) -> None:
        candidates = known[_INDEX.sub("[]", table.path)]
        for key in dict.keys(table):
            if key not in candidates:
                # One line for an unknown table, not one more for each key inside it.
                problems.append(unknown_key_message(table.path, key, candidates))
            elif not (table is document and key in allowed):
                for child in _children(table, key):
                    check(child)

    check(document)
    return problems


def toml_error_message(path: object, exc: ValueError) -> str:
    """`office.toml:3:5: not valid TOML: Expected '=' after a key ...`: the path
    once, with the line and column where an editor can jump to."""
    text = str(exc)
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", text)
    if found is None:
        return f"{path}: not valid TOML: {text}"
    return f"{path}:{found[1]}:{found[2]}: not valid TOML: {text[:found.start()]}"
