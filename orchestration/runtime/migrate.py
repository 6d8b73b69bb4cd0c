"""Run the Alembic migrations and give the login roles their passwords."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from psycopg import sql
from sqlalchemy import create_engine, pool

from orchestration.runtime.database import ConnectionInfo
from orchestration.settings import PROJECT_ROOT, Settings
from orchestration.tokens import parse_ttl

LOGIN_ROLES = ("authenticator", "transformer")


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


def _with_connection(admin: ConnectionInfo, action: str, revision: str) -> None:
    engine = create_engine(admin.url("postgresql+psycopg"), poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            getattr(command, action)(config, revision)
    finally:
        engine.dispose()


def upgrade(admin: ConnectionInfo, settings: Settings, revision: str = "head") -> None:
    _with_connection(admin, "upgrade", revision)
    set_login_passwords(admin, settings)
    revision_now = current_revision(admin)
    if revision_now is not None and revision_now >= "0008":
        grant_shadow_build(admin)
    if revision_now is not None and revision_now >= "0013":
        set_signing_key(admin, settings)


def grant_shadow_build(admin: ConnectionInfo) -> None:
    """transformer may create schemas in this database (the shadow build, migration 0008).

    Repeated on every upgrade: a database-level grant does not travel with ``CREATE DATABASE …
    TEMPLATE`` or a plain ``pg_dump``/restore, unlike everything inside the database.
    """
    with admin.connect(autocommit=True) as conn:
        conn.execute(
            sql.SQL("grant create on database {} to transformer").format(sql.Identifier(admin.dbname))
        )


def downgrade(admin: ConnectionInfo, revision: str = "base") -> None:
    _with_connection(admin, "downgrade", revision)


def head_revision() -> str:
    """The newest revision of the migration scripts (what `upgrade` brings a database to)."""
    # deferred: Alembic's script loader is needed only to read the revisions
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(admin: ConnectionInfo) -> str | None:
    with admin.connect() as conn:
        exists = conn.execute("select to_regclass('public.alembic_version')").fetchone()
        if not exists or exists[0] is None:
            return None
        row = conn.execute("select version_num from public.alembic_version").fetchone()
        return row[0] if row else None


def set_login_passwords(admin: ConnectionInfo, settings: Settings) -> None:
    """Passwords live in the environment or in home/secrets.env, never in a migration."""
    with admin.connect(autocommit=True) as conn:
        for role in LOGIN_ROLES:
            conn.execute(
                sql.SQL("alter role {} password {}").format(
                    sql.Identifier(role), sql.Literal(settings.secrets[role])
                )
            )


def set_signing_key(admin: ConnectionInfo, settings: Settings) -> None:
    """``api.login`` signs sessions with the secret and audience PostgREST verifies (migration 0013):
    written on every upgrade, so a rotated secret or a new session lifetime takes effect with it."""

    with admin.connect(autocommit=True) as conn:
        conn.execute(
            "insert into auth.signing_key (secret, audience, session_seconds) values (%s, %s, %s)"
            " on conflict (only_row) do update set secret = excluded.secret,"
            " audience = excluded.audience, session_seconds = excluded.session_seconds",
            (
                settings.secrets["jwt"],
                settings.jwt_audience,
                int(parse_ttl(settings.session_ttl).total_seconds()),
            ),
        )
