"""What the public tells the office: the satisfaction survey (SKM,
PermenPANRB 14/2017) and complaints (pengaduan). Pure rules, time passed in.

A survey answer and every change to a complaint is an event in the log
(`survey.submitted`, `complaint.filed`, `complaint.updated`); this module
checks what a visitor or a supervisor sends and builds the data those events
carry, so the web pages, the WebSocket and the console agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from antrean.core.model import DomainError, iso

JSON = dict[str, Any]

# The nine unsur in the regulation's order; the 1-4 scale is fixed.
UNSUR = ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9")
GRADES = (1, 2, 3, 4)
GENDERS = ("L", "P")
EDUCATION = ("sd", "smp", "sma", "d123", "d4s1", "s2", "s3")
OCCUPATION = ("pns", "tni", "polri", "swasta", "wirausaha", "pelajar", "lainnya")
SOURCES = ("phone", "point")
MIN_AGE, MAX_AGE = 10, 120

COMPLAINT_STATUSES = ("diterima", "diproses", "selesai", "ditolak")
# Every allowed move of a complaint, in one place: (from, to).
COMPLAINT_MOVES = frozenset({
    ("diterima", "diproses"),
    ("diterima", "selesai"),
    ("diterima", "ditolak"),
    ("diproses", "selesai"),
    ("diproses", "ditolak"),
})
CLOSED_STATUSES = frozenset({"selesai", "ditolak"})

MAX_COMMENT = 1000
MAX_COMPLAINT_TEXT = 1000  # sent in a GET query without JavaScript: kept well under 8 KB
MAX_NAME = 100
MAX_CONTACT = 100
MAX_REPLY = 2000


class FeedbackError(DomainError):
    """Refused input; `fields` names what is missing or wrong (for the form)."""

    def __init__(self, code: str, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(code, message)
        self.fields = fields


def _clean(value: Any, limit: int, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise FeedbackError("bad_request", f"{name} must be text", (name,))
    text = value.replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise FeedbackError("bad_request", f"{name} is not valid text", (name,))
    if len(text) > limit:
        raise FeedbackError("bad_request", f"{name} is longer than {limit} characters", (name,))
    return text or None


@dataclass(frozen=True, slots=True)
class SurveyAnswers:
    """A complete, checked questionnaire."""

    answers: dict[str, int]
    profile: JSON
    comment: str | None


def check_survey(raw: JSON) -> SurveyAnswers:
    """The answers as sent (ints or digit strings), or `bad_request` naming
    every unsur that is missing or out of the 1-4 scale."""
    answers: dict[str, int] = {}
    missing: list[str] = []
    for unsur in UNSUR:
        value = raw.get(unsur)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if type(value) is not int or value not in GRADES:
            missing.append(unsur)
        else:
            answers[unsur] = value
    age_raw = raw.get("age")
    if isinstance(age_raw, str):
        age_raw = age_raw.strip() or None
        if age_raw is not None and not age_raw.isdigit():
            missing.append("age")
            age_raw = None
        elif age_raw is not None:
            age_raw = int(age_raw)
    if age_raw is not None and (type(age_raw) is not int or not MIN_AGE <= age_raw <= MAX_AGE):
        missing.append("age")
    profile = {
        "age": age_raw if age_raw is not None and "age" not in missing else None,
        "gender": _choice(raw.get("gender"), GENDERS, "gender", missing),
        "education": _choice(raw.get("education"), EDUCATION, "education", missing),
        "occupation": _choice(raw.get("occupation"), OCCUPATION, "occupation", missing),
    }
    if missing:
        raise FeedbackError("bad_request", "missing or invalid: " + ", ".join(missing),
                            tuple(missing))
    return SurveyAnswers(answers, profile, _clean(raw.get("comment"), MAX_COMMENT, "comment"))


def _choice(value: Any, choices: tuple[str, ...], name: str, missing: list[str]) -> str | None:
    if value is None or value == "":
        return None
    if value not in choices:
        missing.append(name)
        return None
    return str(value)


def survey_data(ticket: JSON, day: str, answers: SurveyAnswers, staff: str | None,
                source: str) -> JSON:
    """The `survey.submitted` event's data (the shared contract with the reports)."""
    if source not in SOURCES:
        raise ValueError(f"unknown survey source {source!r}")
    return {"survey": {
        "ticket": ticket["id"], "number": ticket["number"], "service": ticket["service"],
        "counter": ticket.get("counter"), "staff": staff, "day": day,
        "answers": dict(answers.answers), "profile": dict(answers.profile),
        "comment": answers.comment, "source": source,
    }}


def survey_allowed(status: str) -> None:
    """Only a visit that was served (done, not a no-show) may be rated."""
    if status != "done":
        raise FeedbackError("conflict", "the survey opens once your visit has been served")


# ------------------------------------------------------------------ complaints
def new_complaint(raw: JSON, categories: tuple[str, ...], code: str, now: datetime,
                  deadline_days: int, ticket: JSON | None = None) -> JSON:
    """A checked complaint as `complaint.filed` carries it."""
    problems: list[str] = []
    category = raw.get("category")
    if category not in categories:
        problems.append("category")
    text = _clean(raw.get("text"), MAX_COMPLAINT_TEXT, "text")
    if not text:
        problems.append("text")
    name = _clean(raw.get("name"), MAX_NAME, "name")
    contact = _clean(raw.get("contact"), MAX_CONTACT, "contact")
    consent = raw.get("consent") in (True, "1", "on", "yes")
    if (name or contact) and not consent:
        problems.append("consent")
    if problems:
        raise FeedbackError("bad_request", "missing or invalid: " + ", ".join(problems),
                            tuple(problems))
    at = iso(now)
    return {
        "code": code, "category": str(category), "text": text,
        "ticket": ticket["id"] if ticket else None,
        "service": ticket["service"] if ticket else None,
        "name": name, "contact": contact, "status": "diterima", "reply": None,
        "filed_at": at, "updated_at": at, "deadline": iso(now + timedelta(days=deadline_days)),
    }


def update_complaint(complaint: JSON, status: str, reply: Any, now: datetime) -> JSON:
    """The complaint after a supervisor's step, or `conflict`/`bad_request`."""
    if status not in COMPLAINT_STATUSES:
        raise FeedbackError("bad_request", f"status must be one of {', '.join(COMPLAINT_STATUSES)}",
                            ("status",))
    text = _clean(reply, MAX_REPLY, "reply")
    current = complaint["status"]
    if status == current and current not in CLOSED_STATUSES:
        pass  # a reply written while the status stays
    elif (current, status) not in COMPLAINT_MOVES:
        raise FeedbackError("conflict", f"a complaint that is {current} cannot become {status}")
    if status == "ditolak" and not text:
        raise FeedbackError("bad_request", "a refusal needs the reason in the reply", ("reply",))
    if status == "selesai" and not (text or complaint.get("reply")):
        raise FeedbackError("bad_request", "closing a complaint needs the office's answer",
                            ("reply",))
    return {**complaint, "status": status, "reply": text if text else complaint.get("reply"),
            "updated_at": iso(now)}


def overdue(complaint: JSON, now: datetime) -> bool:
    """Past the office's answer deadline and still open."""
    deadline = complaint.get("deadline")
    if complaint.get("status") in CLOSED_STATUSES or not deadline:
        return False
    return datetime.fromisoformat(str(deadline)) < now


def public_complaint(complaint: JSON) -> JSON:
    """What a kiosk, display or visitor stream may carry: no text, no person."""
    return {key: complaint.get(key) for key in
            ("code", "category", "status", "filed_at", "updated_at", "deadline")}


def public_survey(survey: JSON) -> JSON:
    """A survey event without the member of staff (kiosks, displays)."""
    return {**survey, "staff": None}
