import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from orchestration.settings import PROJECT_ROOT, Settings


def test_defaults_use_embedded_database_under_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("BI_DASH_HOME", raising=False)
    monkeypatch.chdir(tmp_path)  # another folder: the home is still the project's own
    settings = Settings()
    assert settings.home == PROJECT_ROOT / ".bi-dash"
    assert settings.uses_embedded_database
    assert settings.pgdata == PROJECT_ROOT / ".bi-dash" / "pg"
    assert (settings.api_port, settings.dagster_port, settings.docs_port) == (3000, 3001, 8080)


def test_database_url_from_environment_switches_to_external(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bi")
    settings = Settings()
    assert not settings.uses_embedded_database
    assert settings.database_url == "postgresql://postgres@127.0.0.1:5432/bi"


def test_database_url_that_is_not_postgres_is_rejected_with_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/db")
    with pytest.raises(ValidationError, match="must start with postgresql://"):
        Settings()


def test_ports_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BI_DASH_API_PORT", "70000")
    with pytest.raises(ValidationError):
        Settings()


def test_role_passwords_are_generated_once_private_and_stable(tmp_path: Path) -> None:
    first = Settings(home=tmp_path).secrets
    second = Settings(home=tmp_path).secrets
    assert first == second
    assert len(first["authenticator"]) >= 24 and first["authenticator"] != first["transformer"]
    mode = stat.S_IMODE((tmp_path / "secrets.env").stat().st_mode)
    assert mode == 0o600


def test_role_password_from_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BI_DASH_AUTHENTICATOR_PASSWORD", "from-the-vault")
    assert Settings(home=tmp_path).secrets["authenticator"] == "from-the-vault"
