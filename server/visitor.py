"""The office file's settings for the visitor's phone: where the pages are
reached (`office.public_url`) and the `[visitor]` table (how long a ticket's
page stays, the complaint categories and answer deadline, the steps of each
service, reworded survey questions). An error names the key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from antrean.core.feedback import UNSUR
from antrean.core.model import Text

DEFAULT_CATEGORIES = ("pelayanan", "waktu", "biaya", "sarana", "informasi", "lainnya")


@dataclass(frozen=True, slots=True)
class VisitorSettings:
    public_url: str | None = None  # None: the address the server listens on
    days_after: int = 7  # the page shows the outcome and the survey this long after the day
    complaint_deadline_days: int = 5  # the office answers a complaint within this
    guesses_per_minute: int = 10  # wrong ticket keys or codes per client address
    complaints_per_hour: int = 5  # complaints filed per client address
    categories: tuple[tuple[str, Text | None], ...] = tuple(
        (key, None) for key in DEFAULT_CATEGORIES)
    steps: dict[str, tuple[Text, ...]] = field(default_factory=dict)
    questions: dict[str, Text] = field(default_factory=dict)

    @property
    def category_keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.categories)


def parse_visitor(office_raw: dict[str, Any], raw: Any, service_codes: set[str]
                  ) -> VisitorSettings:
    from server.config import ConfigError, _text  # the office file's own text rules

    public_url = office_raw.get("public_url")
    if public_url is not None:
        if not isinstance(public_url, str) or not public_url.startswith(("http://", "https://")):
            raise ConfigError("office.public_url: must start with http:// or https://")
        public_url = public_url.rstrip("/")
    if raw is None:
        return VisitorSettings(public_url=public_url)
    if not isinstance(raw, dict):
        raise ConfigError("visitor: must be a table")

    def whole(key: str, default: int, minimum: int) -> int:
        value = raw.get(key, default)
        if type(value) is not int or value < minimum:
            raise ConfigError(f"visitor.{key}: must be a whole number, at least {minimum}")
        return value

    categories: tuple[tuple[str, Text | None], ...] = VisitorSettings().categories
    if "complaint_categories" in raw:
        items = raw["complaint_categories"]
        if not isinstance(items, list) or not items:
            raise ConfigError("visitor.complaint_categories: a non-empty list")
        parsed: list[tuple[str, Text | None]] = []
        for i, item in enumerate(items):
            key = f"visitor.complaint_categories[{i}]"
            if isinstance(item, str) and item in DEFAULT_CATEGORIES:
                parsed.append((item, None))
                continue
            if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not (
                item["key"].isidentifier()
            ):
                raise ConfigError(f"{key}: a built-in category name or "
                                  "{ key = \"...\", id = \"...\", en = \"...\" }")
            parsed.append((item["key"], _text(item, key)))
        categories = tuple(parsed)
        keys = [k for k, _ in categories]
        if len(set(keys)) != len(keys):
            raise ConfigError("visitor.complaint_categories: a key appears twice")
    steps_raw = raw.get("steps", {})
    if not isinstance(steps_raw, dict):
        raise ConfigError("visitor.steps: a table of service code = [steps]")
    steps: dict[str, tuple[Text, ...]] = {}
    for code, items in steps_raw.items():
        if code not in service_codes:
            raise ConfigError(f"visitor.steps.{code}: unknown service")
        if not isinstance(items, list):
            raise ConfigError(f"visitor.steps.{code}: a list of texts")
        steps[code] = tuple(_text(item, f"visitor.steps.{code}[{i}]")
                            for i, item in enumerate(items))
    questions_raw = raw.get("survey", {})
    if not isinstance(questions_raw, dict):
        raise ConfigError("visitor.survey: a table of u1..u9 = question")
    questions: dict[str, Text] = {}
    for unsur, text in questions_raw.items():
        if unsur not in UNSUR:
            raise ConfigError(f"visitor.survey.{unsur}: the nine unsur are u1..u9")
        questions[unsur] = _text(text, f"visitor.survey.{unsur}")
    return VisitorSettings(
        public_url=public_url,
        days_after=whole("days_after", 7, 0),
        complaint_deadline_days=whole("complaint_deadline_days", 5, 1),
        guesses_per_minute=whole("guesses_per_minute", 10, 1),
        complaints_per_hour=whole("complaints_per_hour", 5, 1),
        categories=categories,
        steps=steps,
        questions=questions,
    )
