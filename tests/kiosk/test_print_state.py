"""The paper ticket's states (kiosk/visit.py), without Qt: each has its words
in both languages or, for a fault, the printer's own reason and Reprint."""

from __future__ import annotations

from pathlib import Path

import pytest

from antrean.i18n import tr
from kiosk.visit import PRINT_STATUS_KEYS, PrintState, Visit


def test_a_new_visitor_starts_with_no_printer_trouble() -> None:
    visit = Visit("id")
    assert visit.print_state is PrintState.PRINTING and visit.print_error is None


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_state_but_a_fault_has_its_words(lang: str) -> None:
    assert set(PRINT_STATUS_KEYS) == set(PrintState) - {PrintState.FAULT}
    texts = {state: tr(key, lang) for state, key in PRINT_STATUS_KEYS.items()}
    assert all(texts.values()) and len(set(texts.values())) == len(texts)


def test_only_a_fault_offers_reprint() -> None:
    assert [s for s in PrintState if s.offers_reprint] == [PrintState.FAULT]


def test_the_style_sheet_styles_the_states_by_value() -> None:
    style = (Path(__file__).resolve().parents[2] / "kiosk" / "style.py").read_text("utf-8")
    for state in (PrintState.PRINTED, PrintState.MANUAL, PrintState.FAULT):
        assert f'QLabel#printStatus[state="{state.value}"]' in style
