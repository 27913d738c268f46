"""The one command: flags, and settings from a device file (`--config`),
with the command line winning over the environment over the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from antrean.cli import ClientConfigError, main, parse_args

EXAMPLE = Path(__file__).resolve().parent.parent / "assets" / "device.example.toml"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTREAN_SERVER", "ANTREAN_DEVICE", "ANTREAN_TOKEN", "ANTREAN_PRINTER",
                 "ANTREAN_MEDIA", "ANTREAN_COUNTER", "ANTREAN_SUPERVISOR_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def test_the_device_file_gives_each_app_its_settings() -> None:
    kiosk = parse_args(["kiosk", "--config", str(EXAMPLE)])
    assert (kiosk.server, kiosk.device, kiosk.token) == (
        "wss://antrean.kanim.local:8765/ws", "kiosk-1", "kiosk-1-token")
    assert kiosk.printer == "network://192.168.10.50:9100?paper=80"
    assert kiosk.idle_seconds == 30
    display = parse_args(["display", "--config", str(EXAMPLE)])
    assert display.services == "A,B" and display.english is True
    counter = parse_args(["counter", "--config", str(EXAMPLE)])
    assert counter.counter == "3" and counter.device == "counter-3"


def test_command_line_beats_environment_beats_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTREAN_DEVICE", "kiosk-from-env")
    args = parse_args(["kiosk", "--config", str(EXAMPLE), "--printer", "none"])
    assert args.printer == "none"  # command line
    assert args.device == "kiosk-from-env"  # environment
    assert args.token == "kiosk-1-token"  # file


def test_an_unknown_key_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = tmp_path / "device.toml"
    settings.write_text('[kiosk]\nprinter = "none"\nprintr = "none"\n')
    with pytest.raises(ClientConfigError,
                       match=r"kiosk\.printr: unknown key; did you mean `printer`\?"):
        parse_args(["kiosk", "--config", str(settings)])
    assert main(["kiosk", "--config", str(settings)]) == 2
    assert "kiosk.printr" in capsys.readouterr().err


def test_every_unknown_key_and_table_of_a_device_file_is_named(tmp_path: Path) -> None:
    settings = tmp_path / "device.toml"
    settings.write_text('[kiosk]\nserver = "ws://x/ws"\nidle-secnds = 5\ntimzone = "Asia/Jayapura"'
                        '\n\n[dispaly]\ndevice = "d"\n')
    with pytest.raises(ClientConfigError) as refused:
        parse_args(["kiosk", "--config", str(settings)])
    lines = str(refused.value).splitlines()
    assert lines == [
        f"{settings}: dispaly: unknown key; did you mean `display`?",
        f"{settings}: kiosk.idle-secnds: unknown key; did you mean `idle-seconds`? "
        "(not a setting of `antrean kiosk`)",
        f"{settings}: kiosk.timzone: unknown key; did you mean `timezone`? "
        "(not a setting of `antrean kiosk`)",
    ]


def test_a_broken_device_file_is_named_once_with_line_and_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = tmp_path / "device.toml"
    settings.write_text('[kiosk]\nserver = "ws://x/ws"\ntoken = \n')
    assert main(["kiosk", "--config", str(settings)]) == 2
    err = capsys.readouterr().err
    assert err.count(str(settings)) == 1 and f"{settings}:3:9: not valid TOML" in err, err


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ClientConfigError, match="cannot read"):
        parse_args(["display", "--config", str(tmp_path / "nowhere.toml")])


def test_the_office_file_may_carry_device_tables_too() -> None:
    """The server ignores the apps' tables, so one file can serve both."""
    import tomllib

    from server.config import parse_config

    office = tomllib.loads((EXAMPLE.parent / "office.example.toml").read_text())
    office["kiosk"] = {"printer": "none"}
    assert parse_config(office).office.name
