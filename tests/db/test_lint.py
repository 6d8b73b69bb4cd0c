"""bi-dash lint finds what it is meant to find, and the platform's own schema is clean."""

import pytest

from orchestration.lint import CHECKS, lint
from orchestration.runtime.database import ConnectionInfo
from tests.conftest import Platform

pytestmark = pytest.mark.db


def test_the_built_platform_is_lint_clean(platform: Platform) -> None:
    with platform.admin.connect() as conn:
        assert lint(conn) == []


def test_lint_reports_each_kind_of_mistake(fresh_db: ConnectionInfo) -> None:
    with fresh_db.connect(autocommit=True) as conn:
        conn.execute("create table marts.leaky (id int primary key, cpf text)")
        conn.execute("create view api.leaky_view as select id, cpf from marts.leaky")
        conn.execute("grant select on api.leaky_view to analyst")
        conn.execute("create table marts.half (id int)")
        conn.execute("create policy p on marts.half using (true)")
        conn.execute("create function api.open_fn() returns int language sql as 'select 1'")
        conn.execute("grant execute on function api.open_fn() to public")
        conn.execute("create materialized view api.snapshot as select 1 as x")
        conn.execute("create table raw.child (parent_id bigint references raw.ingested_files (file_id))")
        conn.execute(
            "create function api.elevated() returns int language sql security definer"
            " set search_path = '' as 'select 1'"
        )  # owned by the superuser this connection is
        conn.execute("revoke execute on function api.elevated() from public")
        findings = {(f.rule, f.target) for f in lint(conn)}
    assert ("view_without_security_invoker", "api.leaky_view") in findings
    assert ("exposed_table_without_rls", "marts.leaky") in findings
    assert ("policy_on_table_without_rls", "marts.half") in findings
    assert ("function_executable_by_public_or_anon", "api.open_fn()") in findings
    assert ("function_without_fixed_search_path", "api.open_fn()") in findings
    assert ("materialized_view_or_foreign_table_in_api", "api.snapshot") in findings
    assert ("sensitive_column_exposed", "api.leaky_view.cpf") in findings
    assert ("unindexed_foreign_key", "raw.child") in findings
    assert ("security_definer_owned_by_superuser", "api.elevated()") in findings
    assert {rule for rule, _ in findings} == set(CHECKS)  # every rule is shown to fire


def test_cli_lint_exits_non_zero_on_errors(fresh_db: ConnectionInfo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.e2e.cli import Cli

    cli = Cli(home=tmp_path, extra_env={"DATABASE_URL": fresh_db.url()})
    assert cli.run("lint").returncode == 0
    with fresh_db.connect(autocommit=True) as conn:
        conn.execute("create view api.naked as select 1 as x")
    result = cli.run("lint")
    assert result.returncode == 1
    assert "view_without_security_invoker" in result.stdout and "1 lint error(s)" in result.stderr
