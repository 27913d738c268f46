"""The one Indonesian/English catalogue: every entry complete in both
languages with the same placeholders, every protocol error readable, and no
key used in the code that the catalogue lacks."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from antrean.i18n import CATALOGUE, DEFAULT_LANGUAGE, LANGUAGES, error_text, tr
from antrean.protocol import ERROR_CODES

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("antrean", "kiosk", "display", "counter")

# tr("key" ...) / tr('key' ...), also across a line break; not self.tr( or x.tr(.
LITERAL_KEY = re.compile(r"""(?<![\w.])tr\(\s*(["'])([^"'\\\n]+)\1""")
# tr(f"prefix.{...}" ...): at least one key must start with the literal prefix.
FSTRING_KEY = re.compile(r"""(?<![\w.])tr\(\s*f(["'])([^"'{\\\n]*)\{""")
ERROR_CODE = re.compile(r"""(?<![\w.])error_text\(\s*(["'])([^"'\\\n]+)\1""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def source_files() -> list[Path]:
    files = [p for d in SOURCE_DIRS for p in sorted((ROOT / d).rglob("*.py"))]
    return [p for p in files if "__pycache__" not in p.parts]


def used(pattern: re.Pattern[str]) -> dict[str, list[str]]:
    """Each literal the pattern finds in the sources, with where it is used."""
    found: dict[str, list[str]] = {}
    for path in source_files():
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(2), []).append(str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_entry_is_complete_in_both_languages(key: str) -> None:
    entry = CATALOGUE[key]
    assert isinstance(entry, tuple) and len(entry) == len(LANGUAGES) == 2
    indonesian, english = entry
    assert indonesian.strip(), f"{key}: no Indonesian text"
    assert english.strip(), f"{key}: no English text"
    assert placeholders(indonesian) == placeholders(english), key


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_entry_formats_with_its_placeholders(key: str) -> None:
    """Numbers fit every placeholder (screens pass counts and minutes)."""
    params = {name: 7 for name in placeholders(CATALOGUE[key][0])}
    for lang in LANGUAGES:
        text = tr(key, lang, **params)
        assert not params or "7" in text, (key, text)


def test_keys_are_dotted_names() -> None:
    for key in CATALOGUE:
        assert re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+", key), key


def test_tr_fills_params_and_falls_back() -> None:
    assert DEFAULT_LANGUAGE == "id" and LANGUAGES == ("id", "en")
    assert tr("common.minutes", "id", n=12) == "12 menit"
    assert tr("common.minutes", "en", n=12) == "12 min"
    assert tr("common.minutes", n=3) == "3 menit"  # Indonesian first
    assert tr("status.no_show", "fr") == CATALOGUE["status.no_show"][0]
    assert tr("no.such.key", "en") == "no.such.key"  # visible, and caught below


@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_protocol_error_code_reads_well(code: str) -> None:
    assert f"error.{code}" in CATALOGUE
    for index, lang in enumerate(LANGUAGES):
        assert error_text(code, lang) == CATALOGUE[f"error.{code}"][index]


def test_an_unknown_error_code_reads_as_internal() -> None:
    for index, lang in enumerate(LANGUAGES):
        assert error_text("no_such_code", lang) == CATALOGUE["error.internal"][index]


def test_the_search_finds_the_keys_in_use() -> None:
    """Guard against a pattern that silently matches nothing."""
    assert len(source_files()) > 5
    assert len(used(LITERAL_KEY)) >= 5
    sample = 'x = tr(\n    "a.b", lang)\nself.tr("no")\ny = tr(f"c.{d}")'
    assert [m.group(2) for m in LITERAL_KEY.finditer(sample)] == ["a.b"]
    assert [m.group(2) for m in FSTRING_KEY.finditer(sample)] == ["c."]


def test_every_key_used_in_the_code_is_in_the_catalogue() -> None:
    missing = {key: where for key, where in used(LITERAL_KEY).items() if key not in CATALOGUE}
    assert not missing, f"keys used but not in antrean/i18n.py: {missing}"


def test_every_key_prefix_built_in_the_code_exists() -> None:
    missing = {
        prefix: where for prefix, where in used(FSTRING_KEY).items()
        if not any(key.startswith(prefix) for key in CATALOGUE)
    }
    assert not missing, f"tr(f\"...\") prefixes with no key in antrean/i18n.py: {missing}"


def test_every_error_code_named_in_the_code_is_known() -> None:
    unknown = {code: where for code, where in used(ERROR_CODE).items()
               if f"error.{code}" not in CATALOGUE}
    assert not unknown, unknown
