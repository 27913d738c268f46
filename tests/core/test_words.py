"""Number words and call sentences: what the waiting room hears."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antrean.core.words import (
    MAX_SPOKEN_NUMBER,
    announcement_clips,
    announcement_text,
    english_number,
    indonesian_number,
)

NUMBERS = [
    (0, "nol", "zero"),
    (1, "satu", "one"),
    (2, "dua", "two"),
    (3, "tiga", "three"),
    (4, "empat", "four"),
    (5, "lima", "five"),
    (6, "enam", "six"),
    (7, "tujuh", "seven"),
    (8, "delapan", "eight"),
    (9, "sembilan", "nine"),
    (10, "sepuluh", "ten"),
    (11, "sebelas", "eleven"),
    (12, "dua belas", "twelve"),
    (13, "tiga belas", "thirteen"),
    (14, "empat belas", "fourteen"),
    (15, "lima belas", "fifteen"),
    (16, "enam belas", "sixteen"),
    (17, "tujuh belas", "seventeen"),
    (18, "delapan belas", "eighteen"),
    (19, "sembilan belas", "nineteen"),
    (20, "dua puluh", "twenty"),
    (21, "dua puluh satu", "twenty-one"),
    (22, "dua puluh dua", "twenty-two"),
    (23, "dua puluh tiga", "twenty-three"),
    (24, "dua puluh empat", "twenty-four"),
    (25, "dua puluh lima", "twenty-five"),
    (30, "tiga puluh", "thirty"),
    (99, "sembilan puluh sembilan", "ninety-nine"),
    (100, "seratus", "one hundred"),
    (101, "seratus satu", "one hundred and one"),
    (110, "seratus sepuluh", "one hundred and ten"),
    (111, "seratus sebelas", "one hundred and eleven"),
    (115, "seratus lima belas", "one hundred and fifteen"),
    (199, "seratus sembilan puluh sembilan", "one hundred and ninety-nine"),
    (200, "dua ratus", "two hundred"),
    (999, "sembilan ratus sembilan puluh sembilan", "nine hundred and ninety-nine"),
    (1000, "seribu", "one thousand"),
    (1001, "seribu satu", "one thousand and one"),
    (1100, "seribu seratus", "one thousand one hundred"),
    (2000, "dua ribu", "two thousand"),
    (11000, "sebelas ribu", "eleven thousand"),
    (
        12345,
        "dua belas ribu tiga ratus empat puluh lima",
        "twelve thousand three hundred and forty-five",
    ),
    (100000, "seratus ribu", "one hundred thousand"),
    (101001, "seratus satu ribu satu", "one hundred and one thousand and one"),
    (
        999999,
        "sembilan ratus sembilan puluh sembilan ribu sembilan ratus sembilan puluh sembilan",
        "nine hundred and ninety-nine thousand nine hundred and ninety-nine",
    ),
]


@pytest.mark.parametrize(("n", "indonesian", "english"), NUMBERS)
def test_number_words(n: int, indonesian: str, english: str) -> None:
    assert indonesian_number(n) == indonesian
    assert english_number(n) == english


@pytest.mark.parametrize("n", [-1, MAX_SPOKEN_NUMBER + 1, 1_000_000, 10**12])
def test_out_of_range_is_refused(n: int) -> None:
    with pytest.raises(ValueError):
        indonesian_number(n)
    with pytest.raises(ValueError):
        english_number(n)


SENTENCES = [
    ("A012", "3", "id", "Nomor antrean A dua belas, silakan menuju loket tiga"),
    ("A012", "3", "en", "Ticket number A-twelve, please go to counter three"),
    ("B001", 7, "id", "Nomor antrean B satu, silakan menuju loket tujuh"),
    ("B001", 7, "en", "Ticket number B-one, please go to counter seven"),
    ("C100", "12", "id", "Nomor antrean C seratus, silakan menuju loket dua belas"),
    ("C1000", "1", "en", "Ticket number C-one thousand, please go to counter one"),
    ("AB105", "2", "id", "Nomor antrean A B seratus lima, silakan menuju loket dua"),
    ("AB105", "2", "en", "Ticket number A-B-one hundred and five, please go to counter two"),
    # Names that are not digits are spoken as given; a repeated "Loket" is dropped.
    ("D020", "Paspor", "id", "Nomor antrean D dua puluh, silakan menuju loket Paspor"),
    ("D020", "Loket 4", "id", "Nomor antrean D dua puluh, silakan menuju loket empat"),
    ("D020", "Counter 4", "en", "Ticket number D-twenty, please go to counter four"),
    ("E005", "Informasi 2", "id", "Nomor antrean E lima, silakan menuju loket Informasi dua"),
    ("e005", "Loket", "id", "Nomor antrean E lima, silakan menuju loket Loket"),
]


@pytest.mark.parametrize(("number", "counter", "lang", "sentence"), SENTENCES)
def test_announcement_text(number: str, counter: str | int, lang: str, sentence: str) -> None:
    assert announcement_text(number, counter, lang) == sentence


def test_unknown_language_falls_back_to_indonesian() -> None:
    assert announcement_text("A012", "3", "fr") == announcement_text("A012", "3", "id")


@pytest.mark.parametrize(("number", "counter"), [("012", "3"), ("A", "3"), ("", "3"), ("A1", "")])
def test_malformed_calls_are_refused(number: str, counter: str) -> None:
    with pytest.raises(ValueError):
        announcement_text(number, counter, "id")


def test_clip_names_follow_the_sentence() -> None:
    assert announcement_clips("A012", "3", "id") == [
        "nomor_antrean", "a", "dua", "belas", "silakan_menuju_loket", "tiga",
    ]  # fmt: skip
    assert announcement_clips("B115", "Loket Paspor 2", "id") == [
        "nomor_antrean", "b", "seratus", "lima", "belas", "silakan_menuju_loket", "paspor", "dua",
    ]  # fmt: skip
    assert announcement_clips("A045", 4, "en") == [
        "ticket_number", "a", "forty", "five", "please_go_to_counter", "four",
    ]  # fmt: skip


@given(st.integers(min_value=0, max_value=MAX_SPOKEN_NUMBER))
def test_every_number_has_plain_words(n: int) -> None:
    assert re.fullmatch(r"[a-z]+( [a-z]+)*", indonesian_number(n))
    assert re.fullmatch(r"[a-z]+([ -][a-z]+)*", english_number(n))


@given(
    st.integers(min_value=0, max_value=MAX_SPOKEN_NUMBER),
    st.integers(min_value=0, max_value=MAX_SPOKEN_NUMBER),
)
def test_distinct_numbers_sound_distinct(a: int, b: int) -> None:
    if a != b:
        assert indonesian_number(a) != indonesian_number(b)
        assert english_number(a) != english_number(b)


def test_no_two_numbers_below_twenty_thousand_share_words() -> None:
    """Exhaustive where collisions would come from (teens, se-, ribu)."""
    for words in (indonesian_number, english_number):
        spoken = {words(n) for n in range(20_000)}
        assert len(spoken) == 20_000
