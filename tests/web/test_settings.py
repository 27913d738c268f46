"""The office file's settings for the visitor's phone: `office.public_url` and
the `[visitor]` table; every mistake named by its key."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from antrean.core.model import Text
from server.config import ConfigError, load_config
from server.visitor import DEFAULT_CATEGORIES, VisitorSettings, parse_visitor
from tests.support import ServerThread, cached_demo_config
from tests.web.helpers import get, issue, path_of, serve

CODES = {"A", "B"}
EXAMPLE = Path(__file__).resolve().parents[2] / "assets" / "office.example.toml"


def parse(visitor: Any = None, **office: Any) -> VisitorSettings:
    return parse_visitor(office, visitor, CODES)


def test_defaults() -> None:
    settings = parse()
    assert settings.public_url is None and settings.days_after == 7
    assert settings.category_keys == DEFAULT_CATEGORIES
    assert settings.complaint_deadline_days == 5 and settings.guesses_per_minute == 10


def test_everything_set() -> None:
    settings = parse({
        "days_after": 3, "complaint_deadline_days": 14, "guesses_per_minute": 20,
        "complaint_categories": ["waktu", {"key": "calo", "id": "Calo", "en": "Touts"}],
        "steps": {"A": [{"id": "Foto", "en": "Photo"}, "Wawancara"]},
        "survey": {"u3": {"id": "Apakah paspor Anda selesai tepat waktu?",
                          "en": "Was your passport ready on time?"}},
    }, public_url="https://antrean.example.go.id/")
    assert settings.public_url == "https://antrean.example.go.id"
    assert settings.categories == (("waktu", None), ("calo", Text("Calo", "Touts")))
    assert settings.steps["A"] == (Text("Foto", "Photo"), Text("Wawancara", "Wawancara"))
    assert settings.questions["u3"].en == "Was your passport ready on time?"


@pytest.mark.parametrize("visitor,office,key", [
    (None, {"public_url": "antrean.example.go.id"}, "office.public_url"),
    ({"days_after": -1}, {}, "visitor.days_after"),
    ({"complaint_deadline_days": 0}, {}, "visitor.complaint_deadline_days"),
    ({"complaint_categories": []}, {}, "visitor.complaint_categories"),
    ({"complaint_categories": ["waktu", "waktu"]}, {}, "visitor.complaint_categories"),
    ({"complaint_categories": [{"key": "a b", "id": "x"}]}, {},
     "visitor.complaint_categories[0]"),
    ({"steps": {"Z": ["x"]}}, {}, "visitor.steps.Z"),
    ({"survey": {"u10": "x"}}, {}, "visitor.survey.u10"),
    ("yes", {}, "visitor"),
])
def test_mistakes_name_the_key(visitor: Any, office: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError, match="^" + re.escape(key)):
        parse(visitor, **office)


def test_the_example_office_file_loads_with_its_visitor_settings() -> None:
    config = load_config(EXAMPLE)
    assert config.visitor.public_url is None  # commented out: the listening address
    assert config.visitor.steps["A"][0].id == "Pemeriksaan berkas di loket"
    assert ("calo", Text("Calo / perantara", "Touts and middlemen")) in config.visitor.categories
    assert any(grant.role == "survey" for grant in config.devices)


def test_a_visitor_role_cannot_be_given_a_device_token(tmp_path: Path) -> None:
    text = EXAMPLE.read_text().replace('role = "survey"', 'role = "visitor"', 1)
    (tmp_path / "office.toml").write_text(text)
    with pytest.raises(ConfigError, match="role: must be one of"):
        load_config(tmp_path / "office.toml")


def test_reworded_question_and_steps_are_shown(tmp_path: Path) -> None:
    settings = VisitorSettings(
        steps={"A": (Text("Pemeriksaan berkas", "Document check"),)},
        questions={"u3": Text("Apakah paspor Anda selesai tepat waktu?",
                              "Was your passport ready on time?")})
    config = dataclasses.replace(cached_demo_config(), visitor=settings)
    server = ServerThread(config, f"sqlite:///{tmp_path / 'reworded.db'}").start()
    try:
        ticket = issue(server)
        assert "Pemeriksaan berkas" in get(server, path_of(ticket["url"])).text
        serve(server, ticket)
        survey = get(server, path_of(ticket["url"]) + "/survei", {"lang": "en"})
        assert "Was your passport ready on time?" in survey.text
        assert "How fast was the service?" not in survey.text
        assert "Very fast" in survey.text  # the regulation's answers stay
    finally:
        server.stop()
