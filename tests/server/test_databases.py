"""The PostgreSQL switch of these tests: skipped with the reason on a
machine without it, a failure in CI, where it is promised."""

from __future__ import annotations

import pytest

from tests.server import databases


def _unreachable(monkeypatch: pytest.MonkeyPatch, ci: str | None) -> None:
    monkeypatch.setattr(databases, "postgres_url", lambda: None)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)


def test_unreachable_postgresql_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    _unreachable(monkeypatch, None)
    with pytest.raises(pytest.skip.Exception, match=r"127\.0\.0\.1:5432/test is not reachable"):
        databases.fresh_postgres_url()


def test_unreachable_postgresql_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    _unreachable(monkeypatch, "true")
    with pytest.raises(pytest.fail.Exception, match="CI promises it is up"):
        databases.fresh_postgres_url()


def test_the_postgresql_url_names_the_test_database_and_this_runs_schema() -> None:
    assert databases.postgres_url_for("postgres") == (
        f"postgresql+asyncpg://postgres@127.0.0.1:5432/test?schema={databases.RUN_SCHEMA}")
    assert databases.RUN_SCHEMA.startswith("antrean_test_")
