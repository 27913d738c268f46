"""server/settings.py: one `Config` carries every runtime setting, and
`antrean server` builds it from its command line as the tests build it."""

from __future__ import annotations

import argparse
import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.config import ConfigError, Limits
from server.main import add_server_arguments, server_config
from server.settings import Config, utc_now
from tests.server.offices import demo_office


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    return parser.parse_args(list(argv))


def test_the_defaults_listen_on_loopback_without_tls() -> None:
    config = Config(demo_office(), "sqlite:///x.db")
    assert (config.host, config.port, config.ssl_context, config.tls) == (
        "127.0.0.1", 8765, None, False)
    assert config.clock is utc_now and config.clock().tzinfo is UTC
    assert config.hello_timeout == 5.0
    assert config.limits is demo_office().limits


def test_the_limits_are_the_office_files() -> None:
    office = demo_office()
    limited = Config(dataclasses.replace(office, limits=Limits(issue_per_minute=3)),
                     "sqlite:///x.db")
    assert limited.limits.issue_per_minute == 3


def test_the_command_line_makes_the_same_config(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    config = server_config(parse("--host", "0.0.0.0", "--port", "0", "--db", url), demo_office())
    assert (config.host, config.port, config.database_url, config.tls) == (
        "0.0.0.0", 0, url, False)
    assert config.office is demo_office()


def test_a_half_given_tls_pair_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--cert and --key go together"):
        server_config(parse("--cert", str(tmp_path / "c.pem")), demo_office())


def test_a_clock_is_passed_in() -> None:
    noon = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    assert Config(demo_office(), "sqlite:///x.db", clock=lambda: noon).clock() == noon
