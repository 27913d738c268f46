"""The office file: the example loads, and every mistake is refused with a
message that names the key (also through `antrean check-config`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from antrean.cli import main as antrean_main
from antrean.core.model import Service
from server.config import ConfigError, load_config, verify_secret
from server.demo import DEMO_PIN, DEMO_TOKENS, demo_config
from tests.server.offices import demo_office, quick_hash
from tests.server.processes import REPO, run_antrean
from tests.server.servers import Servers
from tests.server.wire import RawClient
from tests.support import FakeClock

Connect = Callable[..., RawClient]
EXAMPLE = REPO / "assets" / "office.example.toml"
TUESDAY_10_AM_JAKARTA = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)


hashed = quick_hash


def office_file(**overrides: str) -> str:
    """A small valid office file; each keyword replaces one section's text."""
    sections = {
        "office": '[office]\nname = "Kantor Imigrasi Uji"\ntimezone = "Asia/Jakarta"\n'
                  'hours = { from = "08:00", to = "16:00" }\n',
        "services": '[[services]]\ncode = "A"\nprefix = "A"\n'
                    'name = { id = "Paspor Baru", en = "New Passport" }\n\n'
                    '[[services]]\ncode = "B"\nprefix = "B"\n'
                    'name = { id = "Izin Tinggal", en = "Stay Permit" }\n',
        "counters": '[[counters]]\nid = "1"\nservices = ["A", "B"]\n',
        "devices": f'[[devices]]\nrole = "kiosk"\ntoken_hash = "{hashed("kiosk-token")}"\n',
        "staff": f'[[staff]]\nusername = "siti"\nname = "Siti"\nroles = ["counter"]\n'
                 f'pin_hash = "{hashed("1234")}"\n',
    }
    sections.update(overrides)
    return "\n".join(sections.values())


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "office.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_office_file_loads() -> None:
    config = load_config(EXAMPLE)
    office = config.office
    assert office.name and office.timezone == "Asia/Jakarta"
    codes = [s.code for s in office.services]
    assert len(codes) == len(set(codes)) >= 1
    for counter in office.counters:
        assert set(counter.services) <= set(codes)
    assert {grant.role for grant in config.devices} == {"kiosk", "display", "counter",
                                                        "supervisor", "survey"}
    assert any("supervisor" in member.roles for member in config.staff)
    for member in config.staff:
        assert member.pin_hash.startswith("scrypt$")


def test_the_example_hashes_match_the_secrets_it_documents() -> None:
    """The comment at the top names the tokens and PINs behind its hashes."""
    text = EXAMPLE.read_text(encoding="utf-8")
    config = load_config(EXAMPLE)
    tokens = re.findall(r'"([a-z]+-\d+-token)"', text)
    for grant in config.devices:
        assert any(verify_secret(t, grant.token_hash) for t in tokens if grant.role in t), (
            grant.role)


def test_a_small_valid_file_loads(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, office_file()))
    assert config.office.name == "Kantor Imigrasi Uji"
    assert [s.code for s in config.office.services] == ["A", "B"]
    assert verify_secret("1234", config.staff[0].pin_hash)


def test_a_service_can_be_on_trial(tmp_path: Path) -> None:
    services = ('[[services]]\ncode = "A"\nname = "Paspor"\n\n'
                '[[services]]\ncode = "B"\nname = "Izin"\ntrial = true\n')
    config = load_config(_write(tmp_path, office_file(services=services)))
    assert [s.trial for s in config.office.services] == [False, True]
    wire = Service(config.office.services[1]).to_wire()
    assert wire["trial"] is True and Service.from_wire(wire).spec.trial


BAD_FILES = {
    "missing-office-name": (
        {"office": '[office]\ntimezone = "Asia/Jakarta"\n'}, "office.name"),
    "no-office-table": ({"office": ""}, "office"),
    "duplicate-service-code": (
        {"services": '[[services]]\ncode = "A"\nname = "Paspor"\n\n'
                     '[[services]]\ncode = "A"\nprefix = "B"\nname = "Lagi"\n'},
         "services.code"),
    "duplicate-prefix": (
        {"services": '[[services]]\ncode = "A"\nprefix = "P"\nname = "Paspor"\n\n'
                     '[[services]]\ncode = "B"\nprefix = "P"\nname = "Izin"\n'},
         "services.prefix"),
    "lower-case-prefix": (
        {"services": '[[services]]\ncode = "A"\nprefix = "a"\nname = "Paspor"\n\n'
                     '[[services]]\ncode = "B"\nname = "Izin"\n'}, "services[0].prefix"),
    "prefix-with-digits": (
        {"services": '[[services]]\ncode = "A"\nname = "Paspor"\n\n'
                     '[[services]]\ncode = "B"\nprefix = "B1"\nname = "Izin"\n'},
         "services[1].prefix"),
    "unknown-service-in-counter": (
        {"counters": '[[counters]]\nid = "1"\nservices = ["A", "Z"]\n'},
         "counters[0].services"),
    "plain-pin": (
        {"staff": '[[staff]]\nusername = "siti"\npin_hash = "1234"\n'}, "staff[0].pin_hash"),
    "pin-instead-of-hash": (
        {"staff": '[[staff]]\nusername = "siti"\npin = "1234"\n'}, "staff[0].pin_hash"),
    "plain-token": (
        {"devices": '[[devices]]\nrole = "kiosk"\ntoken_hash = "kiosk-token"\n'},
         "devices[0].token_hash"),
    "bad-timezone": (
        {"office": '[office]\nname = "Kantor"\ntimezone = "Asia/Atlantis"\n'},
         "office.timezone"),
    "hours-backwards": (
        {"office": '[office]\nname = "Kantor"\nhours = { from = "16:00", to = "08:00" }\n'},
         "office.hours"),
    "hours-not-a-time": (
        {"office": '[office]\nname = "Kantor"\nhours = { from = "8 pagi", to = "16:00" }\n'},
         "office.hours"),
    "service-hours-bad-day": (
        {"services": '[[services]]\ncode = "A"\nname = "Paspor"\n'
                     'hours = { from = "08:00", to = "12:00", days = [0] }\n\n'
                     '[[services]]\ncode = "B"\nname = "Izin"\n'}, "services[0].hours.days"),
    "unknown-device-role": (
        {"devices": f'[[devices]]\nrole = "janitor"\ntoken_hash = "{hashed("x")}"\n'},
         "devices[0].role"),
    "no-services": ({"services": ""}, "services"),
    "duplicate-counter-id": (
        {"counters": '[[counters]]\nid = "1"\n\n[[counters]]\nid = 1\n'}, "counters.id"),
    "duplicate-staff": (
        {"staff": f'[[staff]]\nusername = "siti"\npin_hash = "{hashed("1")}"\n\n'
                  f'[[staff]]\nusername = "siti"\npin_hash = "{hashed("2")}"\n'},
         "staff.username"),
    "staff-role-unknown": (
        {"staff": f'[[staff]]\nusername = "siti"\nroles = ["boss"]\n'
                  f'pin_hash = "{hashed("1")}"\n'}, "staff[0].roles"),
    "negative-quota": (
        {"services": '[[services]]\ncode = "A"\nname = "Paspor"\nquota = -5\n\n'
                     '[[services]]\ncode = "B"\nname = "Izin"\n'}, "services[0].quota"),
    "trial-not-a-flag": (
        {"services": '[[services]]\ncode = "A"\nname = "Paspor"\n\n'
                     '[[services]]\ncode = "B"\nname = "Izin"\ntrial = "ya"\n'},
         "services[1].trial"),
}


@pytest.mark.parametrize(("overrides", "key"), list(BAD_FILES.values()), ids=list(BAD_FILES))
def test_a_mistake_is_refused_naming_the_key(overrides: dict[str, str], key: str,
                                             tmp_path: Path) -> None:
    path = _write(tmp_path, office_file(**overrides))
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert str(refused.value).startswith(key), str(refused.value)


def test_not_toml_and_no_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "[office\nname ="))
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")


def test_check_config_says_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, office_file())
    assert antrean_main(["check-config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "OK" in out and "Kantor Imigrasi Uji" in out


def test_check_config_names_the_key_and_exits_2(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, office_file(**BAD_FILES["unknown-service-in-counter"][0]))
    assert antrean_main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "counters[0].services" in err and "'Z'" in err
    assert antrean_main(["check-config", str(tmp_path / "none.toml")]) == 2


def test_the_check_config_command(tmp_path: Path) -> None:
    """The command as operators type it."""
    good = run_antrean("check-config", str(EXAMPLE))
    assert good.returncode == 0, good.stderr
    assert "OK" in good.stdout
    path = _write(tmp_path, office_file(**BAD_FILES["plain-pin"][0]))
    bad = run_antrean("check-config", str(path))
    assert bad.returncode == 2
    assert "staff[0].pin_hash" in bad.stderr and "Traceback" not in bad.stderr


def test_the_example_office_serves(servers: Servers, connect: Connect) -> None:
    """The example as a running office: device-bound tokens, opening hours,
    staff roles (secrets as its header comment documents them)."""
    clock = FakeClock(TUESDAY_10_AM_JAKARTA)
    server = servers.start(load_config(EXAMPLE), clock=clock)
    kiosk = connect(server, "kiosk", "kiosk-1", token="kiosk-1-token")
    assert kiosk.ok("ticket.issue", service="A")["ticket"]["number"] == "A001"
    # Collection (C) opens at 13:00.
    assert kiosk.request("ticket.issue", service="C")["code"] == "service_closed"
    elsewhere = connect(server, "kiosk", "kiosk-2", token="kiosk-1-token")
    assert elsewhere.welcome["code"] == "unauthorized"  # the token is bound to kiosk-1
    assert elsewhere.expect_close() == 4401
    counter = connect(server, "counter", "loket-1", token="counter-1-token")
    assert counter.ok("login", username="siti", pin="1234")["staff"]["name"] == (
        "Siti Rahmawati")
    supervisor = connect(server, "supervisor", "supervisor-1", token="supervisor-1-token")
    assert supervisor.request("login", username="siti", pin="1234")["code"] == "forbidden"
    supervisor.ok("login", username="kepala", pin="2468")
    clock.now = TUESDAY_10_AM_JAKARTA + timedelta(hours=4)
    assert kiosk.ok("ticket.issue", service="C")["ticket"]["number"] == "C001"
    clock.now = TUESDAY_10_AM_JAKARTA + timedelta(hours=7)  # 17:00, everything closed
    assert kiosk.request("ticket.issue", service="A")["code"] == "service_closed"


def test_hash_secret_makes_a_salted_scrypt_hash(capsys: pytest.CaptureFixture[str]) -> None:
    assert antrean_main(["hash-secret", "2468"]) == 0
    first = capsys.readouterr().out.strip()
    assert antrean_main(["hash-secret", "2468"]) == 0
    second = capsys.readouterr().out.strip()
    assert first.startswith("scrypt$") and first != second  # a new salt each time
    assert verify_secret("2468", first) and verify_secret("2468", second)
    assert not verify_secret("2469", first)
    assert "2468" not in first


def test_the_tests_demo_office_is_the_demo_office() -> None:
    """The server tests run the demo office with cheaper hashes, nothing else."""
    real, quick = demo_config(), demo_office()
    assert quick.office == real.office and quick.limits == real.limits
    assert quick.demo is real.demo is True
    assert [(g.role, g.device) for g in quick.devices] == [
        (g.role, g.device) for g in real.devices]
    assert [(m.username, m.name, m.roles) for m in quick.staff] == [
        (m.username, m.name, m.roles) for m in real.staff]
    for grant in quick.devices:
        assert verify_secret(DEMO_TOKENS[grant.role], grant.token_hash)
    assert all(verify_secret(DEMO_PIN, m.pin_hash) for m in quick.staff)
