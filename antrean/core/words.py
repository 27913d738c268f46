"""Numbers and call announcements as words, for the waiting-room voice.

The voice reads words, not digits: a TTS engine reads "A012" in whatever way
its language rules pick (or as "A zero one two"), and pre-recorded clips exist
only per word. So the sentence is built here, once, in plain Python with no
I/O, and both the speech engine and the clip player use it.

How the ticket letter is written, so that espeak-ng says it as a letter
(checked with `espeak-ng -x`):
- Indonesian: the capital letter itself. The `id` voice spells a lone
  capital with its Indonesian name (B -> "be", C -> "ce", Q -> "ki",
  W -> "we"); a lowercase "be" would come out with the wrong vowel.
- English: the capital letter joined to the number by a hyphen ("A-twelve").
  A lone "A" is read as the article (a schwa); "A-twelve" is read as the
  letter, and every other letter reads the same either way.
Several letters ("AB") are spoken one by one.
"""

from __future__ import annotations

import re

from antrean.core.numbering import split_number

MAX_SPOKEN_NUMBER = 999_999

_ID_UNITS = (
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
)  # fmt: skip
_EN_UNITS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
    "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_EN_TENS = (
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
)  # fmt: skip

# The fixed words around the ticket and the counter, per language.
_INTRO = {"id": "Nomor antrean", "en": "Ticket number"}
_DIRECTION = {"id": "silakan menuju loket", "en": "please go to counter"}
# A counter named "Loket 3" is announced as "... loket tiga", not "loket loket tiga".
_COUNTER_WORDS = frozenset({"loket", "counter"})

_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+", re.UNICODE)


def _check_range(n: int) -> None:
    if not 0 <= n <= MAX_SPOKEN_NUMBER:
        raise ValueError(f"number out of range 0..{MAX_SPOKEN_NUMBER}: {n}")


def _id_below_thousand(n: int) -> list[str]:
    """1..999 in Indonesian; the prefix se- stands for "one" (sepuluh, seratus)."""
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds > 1:
        words += [_ID_UNITS[hundreds], "ratus"]
    if rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif 12 <= rest <= 19:
        words += [_ID_UNITS[rest - 10], "belas"]
    elif rest >= 20:
        tens, units = divmod(rest, 10)
        words += [_ID_UNITS[tens], "puluh"]
        if units:
            words.append(_ID_UNITS[units])
    elif rest > 0:
        words.append(_ID_UNITS[rest])
    return words


def indonesian_number(n: int) -> str:
    """0..999999 in Indonesian words: 12 -> "dua belas", 1000 -> "seribu"."""
    _check_range(n)
    if n == 0:
        return _ID_UNITS[0]
    thousands, rest = divmod(n, 1000)
    words: list[str] = []
    if thousands == 1:
        words.append("seribu")
    elif thousands > 1:
        words += [*_id_below_thousand(thousands), "ribu"]
    if rest:
        words += _id_below_thousand(rest)
    return " ".join(words)


def _en_below_hundred(n: int) -> str:
    if n < 20:
        return _EN_UNITS[n]
    tens, units = divmod(n, 10)
    return _EN_TENS[tens] + (f"-{_EN_UNITS[units]}" if units else "")


def _en_below_thousand(n: int) -> list[str]:
    """1..999 in British English: 101 -> "one hundred and one"."""
    hundreds, rest = divmod(n, 100)
    words: list[str] = []
    if hundreds:
        words += [_EN_UNITS[hundreds], "hundred"]
        if rest:
            words.append("and")
    if rest:
        words.append(_en_below_hundred(rest))
    return words


def english_number(n: int) -> str:
    """0..999999 in (British) English words: 12345 -> "twelve thousand three
    hundred and forty-five"."""
    _check_range(n)
    if n == 0:
        return _EN_UNITS[0]
    thousands, rest = divmod(n, 1000)
    words: list[str] = []
    if thousands:
        words += [*_en_below_thousand(thousands), "thousand"]
        if 0 < rest < 100:
            words.append("and")
            words.append(_en_below_hundred(rest))
            return " ".join(words)
    if rest:
        words += _en_below_thousand(rest)
    return " ".join(words)


def number_words(n: int, lang: str) -> str:
    """`n` in the words of `lang` ("id" or "en"; anything else is Indonesian)."""
    return english_number(n) if lang == "en" else indonesian_number(n)


def _counter_tokens(counter_name: str | int, lang: str) -> list[str]:
    """The counter's name as words: digits become number words, a leading
    "Loket"/"Counter" is dropped because the sentence already says it."""
    tokens = _TOKEN.findall(str(counter_name).strip())
    if len(tokens) > 1 and tokens[0].lower() in _COUNTER_WORDS:
        tokens = tokens[1:]
    words: list[str] = []
    for token in tokens:
        if token.isdigit() and int(token) <= MAX_SPOKEN_NUMBER:
            words.append(number_words(int(token), lang))
        else:
            words.append(token)
    return words


def _segments(number: str, counter_name: str | int, lang: str) -> tuple[str, str, str, str]:
    """(intro, ticket, direction, counter) of the announcement in `lang`."""
    lang = "en" if lang == "en" else "id"
    prefix, sequence = split_number(number.strip())
    letters = [c.upper() for c in prefix if c.isalnum()]
    spoken = number_words(sequence, lang)
    ticket = ("-" if lang == "en" else " ").join([*letters, spoken])
    counter = " ".join(_counter_tokens(counter_name, lang))
    if not counter:
        raise ValueError(f"counter name has nothing to say: {counter_name!r}")
    return _INTRO[lang], ticket, _DIRECTION[lang], counter


def announcement_text(number: str, counter_name: str | int, lang: str) -> str:
    """The sentence to speak: ("A012", "3", "id") -> "Nomor antrean A dua belas,
    silakan menuju loket tiga". Raises ValueError for a malformed ticket number."""
    intro, ticket, direction, counter = _segments(number, counter_name, lang)
    return f"{intro} {ticket}, {direction} {counter}"


def _clip_name(words: str) -> str:
    return re.sub(r"[\W_]+", "_", words.lower()).strip("_")


def announcement_clips(number: str, counter_name: str | int, lang: str) -> list[str]:
    """The same sentence as names of pre-recorded clips (without ".wav"):
    ("A012", "3", "id") -> ["nomor_antrean", "a", "dua", "belas",
    "silakan_menuju_loket", "tiga"]. The fixed phrases are one clip each,
    letters and number words one clip per word, and any other word of a
    counter name is one clip named after it in lowercase ("paspor")."""
    intro, ticket, direction, counter = _segments(number, counter_name, lang)
    names = [_clip_name(intro)]
    names += [_clip_name(word) for word in re.split(r"[\s-]+", ticket) if word]
    names.append(_clip_name(direction))
    names += [_clip_name(word) for word in re.split(r"[\s-]+", counter) if word]
    return [name for name in names if name]
