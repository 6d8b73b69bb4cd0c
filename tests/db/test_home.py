"""The platform home: private to its owner, yet reachable by the embedded database's own user."""

from __future__ import annotations

import os
import stat

from orchestration.runtime.database import ConnectionInfo, _import_pgserver, _pgserver_user
from orchestration.settings import Settings


def test_the_home_is_private_and_the_database_can_still_be_controlled(
    server: ConnectionInfo, settings: Settings
) -> None:
    settings.ensure_dirs()  # what every CLI command does, while the database runs
    mode = stat.S_IMODE(settings.home.stat().st_mode)
    assert mode & 0o066 == 0, oct(mode)  # nobody else lists or reads the home (secrets, CPF/PIS)
    for private in (settings.log_dir, settings.run_dir, settings.dagster_home):
        assert stat.S_IMODE(private.stat().st_mode) == 0o700, private
    # as root, PostgreSQL runs as `pgserver`: pg_ctl (stop at the end of `bi-dash up`) must reach its data
    out = _import_pgserver().pg_ctl(["status"], pgdata=settings.pgdata, user=_pgserver_user(), timeout=60)
    assert "server is running" in out


def test_the_transformer_password_reaches_dbt_through_a_private_file_not_the_environment(
    server: ConnectionInfo, settings: Settings
) -> None:
    from orchestration.runtime.database import role_connection
    from orchestration.runtime.environment import apply_platform_env

    saved = dict(os.environ)  # apply_platform_env exports into this process: undone below
    try:
        env = apply_platform_env(settings, server)
        exported = dict(os.environ)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    password = role_connection(server, settings, "transformer").password
    assert password
    assert [name for name, value in {**env, **exported}.items() if password in value] == []
    profile = settings.dbt_profiles_dir / "profiles.yml"
    assert env["DBT_PROFILES_DIR"] == str(settings.dbt_profiles_dir)
    assert stat.S_IMODE(profile.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.dbt_profiles_dir.stat().st_mode) == 0o700
    assert password in profile.read_text()
