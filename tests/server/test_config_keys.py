"""Issue 15: an unknown key in the office file is an error naming its full
path and the nearest key the office file knows; a broken file is named once,
with the line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from antrean.cli import main as antrean_main
from server.config import ConfigError, load_config
from tests.server.test_config import EXAMPLE, office_file

TYPOS = {
    "timzone": ({"office": '[office]\nname = "Kanim Jayapura"\ntimzone = "Asia/Jayapura"\n'},
                "office.timzone: unknown key; did you mean `timezone`?"),
    "qouta": ({"services": '[[services]]\ncode = "A"\nname = "Paspor"\n\n'
                           '[[services]]\ncode = "B"\nname = "Izin"\nqouta = 50\n'},
              "services[1].qouta: unknown key; did you mean `quota`?"),
    "priorty_cap": ({"policy": "[policy]\npriorty_cap = 2\n"},
                    "policy.priorty_cap: unknown key; did you mean `priority_cap`?"),
    "polcy": ({"policy": "[polcy]\npriority_cap = 2\nregular_max_wait_minutes = 5\n"},
              "polcy: unknown key; did you mean `policy`?"),
    "hours": ({"office": '[office]\nname = "Kanim"\nhours = { from = "08:00", to = "16:00", '
                         'dys = [1, 2] }\n'},
              "office.hours.dys: unknown key; did you mean `days`?"),
    "staff": ({"staff": '[[staff]]\nusername = "siti"\nrole = ["counter"]\n'
                        'pin_hash = "scrypt$1$1$1$AA==$AA=="\n'},
              "staff[0].role: unknown key; did you mean `roles`?"),
}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "office.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("overrides", "message"), list(TYPOS.values()), ids=list(TYPOS))
def test_a_misspelt_key_is_refused_with_the_nearest_valid_key(
        overrides: dict[str, str], message: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, office_file(**overrides))
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert str(refused.value) == message
    assert antrean_main(["check-config", str(path)]) == 2
    assert capsys.readouterr().err == f"{path}: {message}\n"


def test_every_unknown_key_is_listed_once_and_a_whole_unknown_table_once(
        tmp_path: Path) -> None:
    path = _write(tmp_path, office_file(
        office='[office]\nname = "Kanim"\ntimzone = "Asia/Jayapura"\n',
        policy="[polcy]\npriority_cap = 2\nregular_max_wait_minutes = 5\n"))
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert str(refused.value).splitlines() == [
        "office.timzone: unknown key; did you mean `timezone`?",
        "polcy: unknown key; did you mean `policy`?",
    ]


def test_a_key_nothing_resembles_lists_the_known_keys(tmp_path: Path) -> None:
    path = _write(tmp_path, office_file(policy="[policy]\nzzz = 1\n"))
    with pytest.raises(ConfigError, match=r"^policy\.zzz: unknown key; known keys here: "
                                          r".*`priority_cap`"):
        load_config(path)


def test_switched_off_limits_and_device_tables_are_still_known(tmp_path: Path) -> None:
    path = _write(tmp_path, office_file(
        limits="[limits]\nenabled = false\nissue_per_minute = 5\n",
        kiosk='[kiosk]\nprinter = "none"\n'))
    assert load_config(path).limits.issue_per_minute is None
    assert load_config(EXAMPLE).office.name


def test_broken_toml_names_the_file_once_with_line_and_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, '[office]\nname = "Kanim"\ntimezone "Asia/Jakarta"\n')
    assert antrean_main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count(str(path)) == 1, err
    assert err.startswith(f"{path}:3:10: not valid TOML: "), err
    assert "(at line" not in err
