"""The visitor pages' templates: every catalogue key they name exists, in both
languages, and every template renders with autoescape on."""

from __future__ import annotations

import re
from pathlib import Path

from antrean.i18n import CATALOGUE
from server.web import WEB_ROOT

KEY = re.compile(r"""\bt\('([a-z0-9_.]+)'""")
PREFIX = re.compile(r"""\bt\('([a-z0-9_.]+\.)'\s*~""")


def templates() -> list[Path]:
    return sorted((WEB_ROOT / "templates").glob("*.html"))


def test_every_key_a_template_names_is_in_the_catalogue() -> None:
    found = 0
    for path in templates():
        text = path.read_text(encoding="utf-8")
        for key in KEY.findall(text):
            if key.endswith("."):
                continue  # a prefix, checked below
            found += 1
            assert key in CATALOGUE, f"{path.name}: {key}"
        for prefix in PREFIX.findall(text):
            assert any(k.startswith(prefix) for k in CATALOGUE), f"{path.name}: {prefix}"
    assert found > 50


def test_autoescape_is_on_and_nothing_is_marked_safe() -> None:
    import server.web

    assert "autoescape=select_autoescape(default=True)" in Path(server.web.__file__).read_text()
    for path in templates():
        text = path.read_text(encoding="utf-8").replace(" ", "")
        assert "|safe" not in text and "autoescapefalse" not in text, path
