"""One visitor's way through the kiosk, and whether a service may be chosen now.

No Qt here. The window holds exactly one `Visit` and swaps in a fresh one for each
new visitor, so nobody inherits the previous visitor's language, service, answer or
ticket: there is nothing to forget to clear.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from antrean.core.calendar import OpenState
from antrean.core.model import Priority, Service
from antrean.i18n import tr
from antrean.views import IssuedTicket

if TYPE_CHECKING:
    from kiosk.printing import PrinterUnavailable


class PrintState(StrEnum):
    """Where this visitor's paper ticket stands; the value also styles the
    status line (`QLabel#printStatus[state=...]` in kiosk/style.py)."""

    PRINTING = "printing"
    PRINTED = "printed"
    MANUAL = "manual"  # no printer here: the visitor notes the number or photographs the QR
    FAULT = "fault"  # the printer failed: the reason, the advice, and Reprint

    @property
    def offers_reprint(self) -> bool:
        return self is PrintState.FAULT


# The status line's words; a fault says the printer's own reason instead.
PRINT_STATUS_KEYS: dict[PrintState, str] = {
    PrintState.PRINTING: "kiosk.ticket.printing",
    PrintState.PRINTED: "kiosk.ticket.printed",
    PrintState.MANUAL: "kiosk.ticket.no_printer",
}


@dataclass(eq=False)
class Visit:
    """What this visitor has chosen so far (identity matters: answers and print results
    are matched to the visit they belong to)."""

    lang: str
    service: str | None = None
    priority: Priority | None = None
    request_id: str | None = None
    ticket: IssuedTicket | None = None
    refusal: str = ""  # the error code of a refused ticket request, shown over the grid
    print_state: PrintState = PrintState.PRINTING
    print_error: PrinterUnavailable | None = None  # why, when FAULT
    refusal_reason: dict[str, str] | None = None  # the server's own words (a closure's reason)

    @property
    def issuing(self) -> bool:
        """A ticket was asked for and the server has not answered yet."""
        return self.request_id is not None and self.ticket is None


@dataclass(frozen=True, slots=True)
class Availability:
    """Whether a service's tile can be tapped; when not, the catalogue key (and its
    parameters) that tells the visitor why."""

    choosable: bool
    reason_key: str = ""
    params: dict[str, str] = field(default_factory=dict)
    calendar: OpenState | None = None  # closed by the calendar: it says why and until when

    def reason(self, lang: str) -> str:
        if self.calendar is not None:
            return self.calendar.reason(lang)
        return tr(self.reason_key, lang, **self.params) if self.reason_key else ""


def availability(service: Service, local_now: datetime,
                 calendar: OpenState | None = None) -> Availability:
    """Closed by a supervisor, by the calendar (a break, a holiday: `calendar` is the
    office's answer for this service now), outside its opening hours (not today at
    all, or not at this hour) or out of today's quota: each has its own words."""
    if not service.open:
        return Availability(False, "kiosk.services.closed_staff")
    if calendar is not None and not calendar.open:
        return Availability(False, calendar=calendar)
    hours = service.spec.hours
    if calendar is None and hours is not None and not hours.contains(local_now):
        if local_now.isoweekday() not in hours.days:
            return Availability(False, "kiosk.services.closed_today")
        return Availability(
            False,
            "kiosk.services.closed_hours",
            {"start": hours.start.strftime("%H:%M"), "end": hours.end.strftime("%H:%M")},
        )
    left = service.quota_left()
    if left is not None and left <= 0:
        return Availability(False, "kiosk.services.quota")
    return Availability(True)


def long_date(local: datetime, lang: str) -> str:
    """`Senin, 23 November 2026` / `Monday, 23 November 2026`."""
    weekdays = tr("kiosk.weekdays", lang).split(",")
    months = tr("kiosk.months", lang).split(",")
    return tr(
        "kiosk.date",
        lang,
        weekday=weekdays[local.weekday()],
        day=local.day,
        month=months[local.month - 1],
        year=local.year,
    )
