"""Ticket numbers and ids: the one place that formats them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antrean.core.numbering import split_number, ticket_id, ticket_number

prefixes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=3)


def test_number_format() -> None:
    assert ticket_number("A", 1) == "A001"
    assert ticket_number("A", 12) == "A012"
    assert ticket_number("PAS", 999) == "PAS999"
    assert ticket_number("B", 1000) == "B1000"


def test_id_is_unique_across_days() -> None:
    assert ticket_id(date(2026, 11, 23), "A012") == "2026-11-23-A012"
    assert ticket_id(date(2026, 11, 24), "A012") != ticket_id(date(2026, 11, 23), "A012")


@given(prefixes, st.integers(1, 10**6))
def test_split_undoes_the_format(prefix: str, sequence: int) -> None:
    assert split_number(ticket_number(prefix, sequence)) == (prefix, sequence)


@given(prefixes, st.integers(1, 5000), st.integers(1, 5000))
def test_different_sequences_never_share_a_number(prefix: str, a: int, b: int) -> None:
    assert (ticket_number(prefix, a) == ticket_number(prefix, b)) == (a == b)


@pytest.mark.parametrize("bad", ["", "A", "ABC", "012", "9"])
def test_split_refuses_what_is_not_a_number(bad: str) -> None:
    with pytest.raises(ValueError):
        split_number(bad)
