"""The office configuration: loaded from TOML (or the built-in demo office),
validated on start. An error names the key and what is wrong with it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import tomllib
from dataclasses import dataclass, field
from datetime import date, time
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from antrean.core.bookings import BookingRules
from antrean.core.calendar import WEEKDAY_KEYS, Calendar, Closed, DayOff, Period, WeekHours
from antrean.core.model import (
    CounterSpec,
    OfficeSpec,
    OpeningHours,
    PolicySpec,
    ServiceSpec,
    Text,
)
from antrean.protocol import ROLES
from antrean.settings_keys import TrackedTable, toml_error_message, track, unknown_keys
from server.visitor import VisitorSettings, parse_visitor

# Tables of the office file that the front ends read (`antrean kiosk --config office.toml`).
DEVICE_TABLES = ("kiosk", "display", "counter")


class ConfigError(ValueError):
    """A configuration that cannot run; the message names the key."""


class ConfigFileError(ConfigError):
    """The file itself cannot be read; the message already names the file."""


# ------------------------------------------------------------------ secrets
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_secret(secret: str) -> str:
    """A token or PIN as stored: scrypt with a random salt, never the secret."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        secret.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    salt_b64, digest_b64 = base64.b64encode(salt).decode(), base64.b64encode(digest).decode()
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt_b64}${digest_b64}"


def verify_secret(secret: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        digest = hashlib.scrypt(
            secret.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


def _check_hash(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.startswith("scrypt$") or value.count("$") != 5:
        raise ConfigError(f"{key}: must be a hash made by `antrean hash-secret` "
                          "(scrypt$...), never the plain secret")
    return value


# ------------------------------------------------------------------ config
@dataclass(frozen=True, slots=True)
class DeviceGrant:
    """A token that lets a device connect in one role (optionally as one device id)."""

    role: str
    token_hash: str
    device: str | None = None


@dataclass(frozen=True, slots=True)
class StaffMember:
    username: str
    name: str
    roles: tuple[str, ...]
    pin_hash: str
    skills: tuple[str, ...] | None = None  # "A" (every step) or "D:2"; None: everything


@dataclass(frozen=True, slots=True)
class Limits:
    """Flood protection per device; `None` switches a limit off."""

    issue_per_minute: int | None = 20
    requests_per_second: int | None = 30
    login_attempts: int = 5
    lockout_minutes: float = 5.0


@dataclass(frozen=True)
class OfficeConfig:
    office: OfficeSpec
    devices: tuple[DeviceGrant, ...]
    staff: tuple[StaffMember, ...]
    limits: Limits = field(default_factory=Limits)
    demo: bool = False
    visitor: VisitorSettings = field(default_factory=VisitorSettings)

    def staff_by_username(self, username: str) -> StaffMember | None:
        for member in self.staff:
            if member.username == username:
                return member
        return None


def load_config(path: str | Path) -> OfficeConfig:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigFileError(f"config file {path} does not exist") from None
    except OSError as exc:
        raise ConfigFileError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(toml_error_message(path, exc)) from None
    return parse_config(raw)


def parse_config(raw: dict[str, Any]) -> OfficeConfig:
    """The office, validated; every key the file holds must be one it knows."""
    tracked = raw if isinstance(raw, TrackedTable) else track(raw)
    config = _parse(tracked)
    problems = unknown_keys(tracked, allowed=DEVICE_TABLES)
    if problems:
        raise ConfigError("\n".join(problems))
    return config


def _parse(raw: dict[str, Any]) -> OfficeConfig:
    office_raw = _table(raw, "office")
    name = _str(office_raw, "office.name")
    timezone = str(office_raw.get("timezone", "Asia/Jakarta"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"office.timezone: unknown time zone {timezone!r}") from None
    default_hours, office_week = _any_hours(office_raw.get("hours"), "office.hours")

    services = tuple(
        _service(item, f"services[{i}]", default_hours)
        for i, item in enumerate(_list(raw, "services", required=True))
    )
    _unique([s.code for s in services], "services", "code")
    _unique([s.prefix for s in services], "services", "prefix")
    codes = {s.code for s in services}

    counters = tuple(
        _counter(item, f"counters[{i}]", codes)
        for i, item in enumerate(_list(raw, "counters", required=True))
    )
    _unique([c.id for c in counters], "counters", "id")

    policy_raw = raw.get("policy", {})
    if not isinstance(policy_raw, dict):
        raise ConfigError("policy: must be a table")
    policy = PolicySpec(
        priority_cap=_int(policy_raw, "policy.priority_cap", 3, minimum=1),
        regular_max_wait_minutes=_number(policy_raw, "policy.regular_max_wait_minutes", 15.0),
        day_end_reason=str(policy_raw.get("day_end_reason", "day_end")),
        estimate_alpha=_number(policy_raw, "policy.estimate_alpha", 0.2),
    )
    if not 0 < policy.estimate_alpha <= 1:
        raise ConfigError("policy.estimate_alpha: must be between 0 and 1")

    announcements = tuple(
        _text(item, f"office.announcements[{i}]")
        for i, item in enumerate(office_raw.get("announcements", []))
    )
    office = OfficeSpec(
        name=name,
        timezone=timezone,
        services=services,
        counters=counters,
        policy=policy,
        announcements=announcements,
        ticket_url=office_raw.get("ticket_url"),
        logo=office_raw.get("logo"),
        calendar=_calendar(raw.get("calendar", {}), office_week),
        bookings=_booking_rules(raw.get("bookings", {})),
    )

    devices = tuple(
        _device(item, f"devices[{i}]") for i, item in enumerate(_list(raw, "devices", True))
    )
    staff = tuple(_staff(item, f"staff[{i}]", services)
                  for i, item in enumerate(_list(raw, "staff", True)))
    _unique([s.username for s in staff], "staff", "username")

    limits_raw = raw.get("limits", {})
    if not isinstance(limits_raw, dict):
        raise ConfigError("limits: must be a table")
    enabled = limits_raw.get("enabled", True)
    # Both read even when switched off: they are settings the file may hold.
    issue_per_minute = _int(limits_raw, "limits.issue_per_minute", 20, minimum=1)
    requests_per_second = _int(limits_raw, "limits.requests_per_second", 30, minimum=1)
    limits = Limits(
        issue_per_minute=issue_per_minute if enabled else None,
        requests_per_second=requests_per_second if enabled else None,
        login_attempts=_int(limits_raw, "limits.login_attempts", 5, minimum=1),
        lockout_minutes=_number(limits_raw, "limits.lockout_minutes", 5.0),
    )
    visitor = parse_visitor(office_raw, raw.get("visitor"), codes)
    return OfficeConfig(office=office, devices=devices, staff=staff, limits=limits,
                        visitor=visitor)


def _service(raw: Any, key: str, default_hours: OpeningHours | None) -> ServiceSpec:
    if not isinstance(raw, dict):
        raise ConfigError(f"{key}: must be a table")
    code = _str(raw, f"{key}.code")
    prefix = str(raw.get("prefix", code))
    if not prefix.isalpha() or not prefix.isupper() or len(prefix) > 3:
        raise ConfigError(f"{key}.prefix: must be 1 to 3 capital letters, got {prefix!r}")
    quota = raw.get("quota")
    if quota is not None and (type(quota) is not int or quota < 0):
        raise ConfigError(f"{key}.quota: must be a whole number of tickets (0 or more)")
    own_hours, week = _any_hours(raw.get("hours"), f"{key}.hours")
    hours = own_hours or (default_hours if week is None else None)
    steps_raw = raw.get("steps", [])
    if not isinstance(steps_raw, list) or len(steps_raw) == 1:
        raise ConfigError(f"{key}.steps: a list of two or more step names (leave it out for "
                          "a one-step visit)")
    return ServiceSpec(
        code=code,
        prefix=prefix,
        name=_text(raw.get("name"), f"{key}.name"),
        requirements=tuple(
            _text(item, f"{key}.requirements[{i}]")
            for i, item in enumerate(raw.get("requirements", []))
        ),
        quota=quota,
        weight=_number(raw, f"{key}.weight", 1.0),
        default_minutes=_number(raw, f"{key}.service_minutes", 10.0),
        hours=hours,
        trial=_flag(raw, f"{key}.trial"),
        week=week,
        steps=tuple(_text(item, f"{key}.steps[{i}]") for i, item in enumerate(steps_raw)),
    )


def _counter(raw: Any, key: str, codes: set[str]) -> CounterSpec:
    if not isinstance(raw, dict):
        raise ConfigError(f"{key}: must be a table")
    counter_id = raw.get("id")
    if type(counter_id) is int:
        counter_id = str(counter_id)
    if not isinstance(counter_id, str) or not counter_id:
        raise ConfigError(f"{key}.id: must be a non-empty string or number")
    services = tuple(raw.get("services", sorted(codes)))
    for code in services:
        if code not in codes:
            raise ConfigError(f"{key}.services: unknown service {code!r}")
    name = raw.get("name") or {"id": f"Loket {counter_id}", "en": f"Counter {counter_id}"}
    return CounterSpec(counter_id, _text(name, f"{key}.name"), services)


def _device(raw: Any, key: str) -> DeviceGrant:
    if not isinstance(raw, dict):
        raise ConfigError(f"{key}: must be a table")
    role = raw.get("role")
    if role not in ROLES or role == "visitor":  # a visitor's key is its ticket's
        raise ConfigError(f"{key}.role: must be one of "
                          f"{', '.join(r for r in ROLES if r != 'visitor')}")
    device = raw.get("id")
    if device is not None and not isinstance(device, str):
        raise ConfigError(f"{key}.id: must be a string")
    return DeviceGrant(role, _check_hash(raw.get("token_hash"), f"{key}.token_hash"), device)


def _staff(raw: Any, key: str, services: tuple[ServiceSpec, ...] = ()) -> StaffMember:
    if not isinstance(raw, dict):
        raise ConfigError(f"{key}: must be a table")
    roles = raw.get("roles", ["counter"])
    if not isinstance(roles, list) or not all(r in ("counter", "supervisor") for r in roles):
        raise ConfigError(f"{key}.roles: a list of \"counter\" and/or \"supervisor\"")
    return StaffMember(
        username=_str(raw, f"{key}.username"),
        name=str(raw.get("name", raw.get("username"))),
        roles=tuple(roles),
        pin_hash=_check_hash(raw.get("pin_hash"), f"{key}.pin_hash"),
        skills=_skills(raw.get("skills"), f"{key}.skills", services),
    )


def _skills(raw: Any, key: str, services: tuple[ServiceSpec, ...]) -> tuple[str, ...] | None:
    """`["A", "D:2"]`: whole services or single steps; left out, everything."""
    if raw is None:
        return None
    steps = {s.code: s.step_count for s in services}
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ConfigError(f"{key}: a list of service codes or SERVICE:STEP, e.g. [\"A\", \"D:2\"]")
    for item in raw:
        code, _, step = item.partition(":")
        if code not in steps:
            raise ConfigError(f"{key}: unknown service {code!r}")
        if step and not (step.isdigit() and 1 <= int(step) <= steps[code]):
            raise ConfigError(f"{key}: service {code} has no step {step!r} "
                              f"(it has {steps[code]})")
    return tuple(raw)


def _any_hours(raw: Any, key: str) -> tuple[OpeningHours | None, WeekHours | None]:
    """Either the one-window form `{ from, to, days }`, or periods per weekday
    with breaks: `{ mon = ["08:00-12:00", "13:00-16:00"], fri = [...] }`."""
    # dict.keys: looking at the names must not count as reading them (a misspelt
    # key of the one-window form is still reported as unknown).
    if isinstance(raw, dict) and raw and all(k in WEEKDAY_KEYS for k in dict.keys(raw)):
        return None, _week(raw, key)
    return _hours(raw, key), None


def _week(raw: dict[str, Any], key: str) -> WeekHours:
    days: dict[int, tuple[Period, ...]] = {}
    for name in raw:
        days[WEEKDAY_KEYS.index(name) + 1] = _periods(raw[name], f"{key}.{name}")
    return WeekHours(days)


def _periods(raw: Any, key: str) -> tuple[Period, ...]:
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise ConfigError(f"{key}: a list of periods like [\"08:00-12:00\", \"13:00-16:00\"]")
    try:
        periods = tuple(sorted(Period.parse(p) for p in raw))
    except ValueError as exc:
        raise ConfigError(f"{key}: {exc}") from None
    for before, after in pairwise(periods):
        if after.start < before.end:
            raise ConfigError(f"{key}: periods {before.to_wire()} and {after.to_wire()} overlap")
    return periods


def _calendar(raw: Any, week: WeekHours | None) -> Calendar | None:
    """[calendar]: Indonesia's national holidays (from the `holidays` package,
    with their Indonesian names), the office's closure dates and extra days."""
    if not isinstance(raw, dict):
        raise ConfigError("calendar: must be a table")
    switches = {}
    for name in ("national_holidays", "cuti_bersama"):
        switches[name] = raw.get(name, False)
        if not isinstance(switches[name], bool):
            raise ConfigError(f"calendar.{name}: true or false")
    days_off: dict[date, DayOff] = {}
    if switches["cuti_bersama"]:
        days_off.update(national_holidays(category="government"))
    if switches["national_holidays"]:
        days_off.update(national_holidays())
    for i, item in enumerate(_list(raw, "closures")):
        key = f"calendar.closures[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{key}: a table {{ date = \"YYYY-MM-DD\", name = ... }}")
        day = _date(item.get("date"), f"{key}.date")
        days_off[day] = DayOff(day, _text(item.get("name"), f"{key}.name"), Closed.CLOSURE)
    extra: dict[date, tuple[Period, ...]] = {}
    for i, item in enumerate(_list(raw, "extra_days")):
        key = f"calendar.extra_days[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{key}: a table {{ date = \"YYYY-MM-DD\", hours = [...] }}")
        extra[_date(item.get("date"), f"{key}.date")] = _periods(item.get("hours"),
                                                                 f"{key}.hours")
    if week is None and not days_off and not extra:
        return None
    return Calendar(week, days_off, extra)


def national_holidays(years: range | None = None, category: str = "public"
                      ) -> dict[date, DayOff]:
    """Indonesia's national holidays (the moving Islamic ones included), or with
    `category="government"` the cuti bersama the package lists (as closures),
    with the package's Indonesian and English names."""
    import holidays

    this_year = date.today().year
    span = list(years or range(this_year - 1, this_year + 3))
    names_id = holidays.country_holidays("ID", years=span, language="id", categories=(category,))
    names_en = holidays.country_holidays("ID", years=span, language="en_US",
                                         categories=(category,))
    kind = Closed.HOLIDAY if category == "public" else Closed.CLOSURE
    return {
        day: DayOff(day, Text(str(name), str(names_en.get(day, name))), kind)
        for day, name in sorted(names_id.items())
    }


def _date(raw: Any, key: str) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ConfigError(f"{key}: a date YYYY-MM-DD") from None


def _booking_rules(raw: Any) -> BookingRules | None:
    if not isinstance(raw, dict):
        raise ConfigError("bookings: must be a table")
    if not raw:
        return None
    late = raw.get("late_walk_in", True)
    if not isinstance(late, bool):
        raise ConfigError("bookings.late_walk_in: true or false")
    mark = raw.get("mark", "◆")
    if not isinstance(mark, str) or len(mark) > 3:
        raise ConfigError("bookings.mark: a short sign (at most 3 characters)")
    prefix = raw.get("number_prefix", "")
    if not isinstance(prefix, str) or not (prefix == "" or (prefix.isalpha() and
                                                            prefix.isupper() and len(prefix) <= 2)):
        raise ConfigError("bookings.number_prefix: empty, or 1 to 2 capital letters")
    return BookingRules(
        before_minutes=_int(raw, "bookings.before_minutes", 30),
        after_minutes=_int(raw, "bookings.after_minutes", 15),
        late_walk_in=late, mark=mark, number_prefix=prefix,
    )


def _flag(raw: dict[str, Any], key: str) -> bool:
    value = raw.get(key.rsplit(".", 1)[-1], False)
    if not isinstance(value, bool):
        raise ConfigError(f"{key}: must be true or false")
    return value


def _hours(raw: Any, key: str) -> OpeningHours | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError(f"{key}: must be a table like {{ from = \"08:00\", to = \"16:00\" }}")
    try:
        start, end = time.fromisoformat(str(raw["from"])), time.fromisoformat(str(raw["to"]))
    except (KeyError, ValueError):
        raise ConfigError(f"{key}: needs from and to as HH:MM") from None
    if end <= start:
        raise ConfigError(f"{key}: `to` must be after `from`")
    days = raw.get("days", [1, 2, 3, 4, 5, 6, 7])
    if not isinstance(days, list) or not all(type(d) is int and 1 <= d <= 7 for d in days):
        raise ConfigError(f"{key}.days: ISO weekdays 1 (Monday) to 7 (Sunday)")
    return OpeningHours(start, end, frozenset(days))


def _text(raw: Any, key: str) -> Text:
    if isinstance(raw, str) and raw.strip():
        return Text(raw, raw)
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"].strip():
        english = raw.get("en", raw["id"])
        if not isinstance(english, str):
            raise ConfigError(f"{key}.en: must be a string")
        return Text(raw["id"], english or raw["id"])
    raise ConfigError(f"{key}: must be a text, or a table with id (Indonesian) and en (English)")


def _table(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: missing table [{key}]")
    return value


def _list(raw: dict[str, Any], key: str, required: bool = False) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"{key}: must be an array of tables ([[{key}]])")
    if required and not value:
        raise ConfigError(f"{key}: at least one [[{key}]] is needed")
    return value


def _str(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key.rsplit(".", 1)[-1])
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key}: missing or empty")
    return value


def _int(raw: dict[str, Any], key: str, default: int, minimum: int = 0) -> int:
    value = raw.get(key.rsplit(".", 1)[-1], default)
    if type(value) is not int or value < minimum:
        raise ConfigError(f"{key}: must be a whole number, at least {minimum}")
    return value


def _number(raw: dict[str, Any], key: str, default: float) -> float:
    value = raw.get(key.rsplit(".", 1)[-1], default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{key}: must be a number, 0 or more")
    return float(value)


def _unique(values: list[str], table: str, key: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ConfigError(f"{table}.{key}: {value!r} appears twice")
        seen.add(value)
