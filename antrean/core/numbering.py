"""The one place that formats a ticket number and a ticket id."""

from __future__ import annotations

from datetime import date

NUMBER_DIGITS = 3


def ticket_number(prefix: str, sequence: int) -> str:
    """`A` and 12 -> `A012`; beyond 999 the number simply grows (`A1000`)."""
    return f"{prefix}{sequence:0{NUMBER_DIGITS}d}"


def ticket_id(day: date, number: str) -> str:
    """Stable across the day and unique across days: `2026-11-23-A012`."""
    return f"{day.isoformat()}-{number}"


def split_number(number: str) -> tuple[str, int]:
    """`A012` -> (`A`, 12). Raises ValueError when there is no trailing number."""
    digits = len(number) - len(number.rstrip("0123456789"))
    if digits == 0 or digits == len(number):
        raise ValueError(f"not a ticket number: {number!r}")
    return number[:-digits], int(number[-digits:])
