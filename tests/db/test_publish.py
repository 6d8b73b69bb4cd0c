"""The publishing transaction itself, on a database of its own: old build or new build, never a mix."""

import threading

import psycopg
import pytest

from orchestration import publish
from orchestration.runtime.database import ConnectionInfo, role_connection
from orchestration.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.publish_gate]


def _build(conn: psycopg.Connection, suffix: str, rows: int) -> None:
    """A two-resource build: marts.facts with ``rows`` rows, api views counting and listing it."""
    conn.execute(f"create table marts{suffix}.facts as select generate_series(1, {rows}) as n")
    conn.execute(f"create view api{suffix}.fact_count as select count(*) as n from marts{suffix}.facts")
    conn.execute(f"create view api{suffix}.fact_list as select n from marts{suffix}.facts")


@pytest.fixture
def published(fresh_db: ConnectionInfo, settings: Settings) -> ConnectionInfo:
    from orchestration.runtime.migrate import grant_shadow_build

    grant_shadow_build(fresh_db)  # what `bi-dash migrate` does (a template clone lacks database grants)
    transformer = role_connection(fresh_db, settings, "transformer")
    with transformer.connect(autocommit=True) as conn:
        _build(conn, "", 1)  # the build the API serves: one fact
        publish.begin_attempt(conn, "run-2")
        publish.prepare_shadow(conn, [publish.Relation("marts", "facts")], full_refresh=False, run_id="run-2")
        conn.execute("drop table marts__next.facts")
        _build(conn, "__next", 2)  # the checked shadow build: two facts
    return transformer


def _read(conn: psycopg.Connection) -> tuple[int, list[int]]:
    count = conn.execute("select n from api.fact_count").fetchone()
    rows = conn.execute("select n from api.fact_list order by n").fetchall()
    assert count is not None
    return int(count[0]), [row[0] for row in rows]


def test_a_reader_sees_the_old_build_or_the_new_one_never_a_mix(published: ConnectionInfo) -> None:
    domains = {"fact_count": "customer_360", "fact_list": "customer_360"}
    with published.connect() as reader:
        reader.execute("set transaction isolation level repeatable read")
        assert _read(reader)[0] == 1  # the reader's transaction now holds the old views
        outcome: list[object] = []
        with published.connect(autocommit=True) as writer:
            swap = threading.Thread(target=lambda: outcome.append(publish.publish(writer, "run-2", domains)))
            swap.start()
            swap.join(timeout=2)
            assert swap.is_alive()  # the swap waits for the reader instead of changing its build
            assert _read(reader) == (1, [1])  # both resources still from the old build
            reader.commit()
            swap.join(timeout=300)
            assert not swap.is_alive()
    assert isinstance(outcome[0], publish.PublishSummary)
    assert outcome[0].resources == {"fact_count": 1, "fact_list": 2}
    with published.connect() as conn:
        assert _read(conn) == (2, [1, 2])
        schemas = {row[0] for row in conn.execute("select nspname from pg_namespace")}
        assert not {s for s in schemas if s.endswith((publish.SHADOW, publish.RETIRED))}
        # the api schema itself was kept: the Alembic-owned RPC functions are still in it
        functions = conn.execute(
            "select count(*) from pg_proc where pronamespace = 'api'::regnamespace"
            " and proname in ('register_punch', 'include_punch', 'disregard_punch')"
        ).fetchone()
        assert functions == (3,)
        attempt = conn.execute("select outcome from audit.refresh_attempts where run_id = 'run-2'").fetchone()
        published_rows = dict(
            conn.execute("select resource, row_count from audit.published_resources").fetchall()
        )
    assert attempt == ("published",)
    assert published_rows == {"fact_count": 1, "fact_list": 2}


def test_incremental_tables_are_copied_into_the_shadow_unless_full_refresh(published: ConnectionInfo) -> None:
    with published.connect(autocommit=True) as conn:
        conn.execute("create index facts_n on marts.facts (n)")
        state = publish.prepare_shadow(conn, [publish.Relation("marts", "facts")], full_refresh=False)
        assert state == publish.ShadowState(copied=("marts.facts",))
        assert conn.execute("select count(*) from marts__next.facts").fetchone() == (1,)
        indexes = conn.execute("select count(*) from pg_indexes where schemaname = 'marts__next'").fetchone()
        assert indexes == (1,)
        state = publish.prepare_shadow(conn, [publish.Relation("marts", "facts")], full_refresh=True)
        assert state == publish.ShadowState()
        assert conn.execute("select to_regclass('marts__next.facts')").fetchone() == (None,)
        # the served build is untouched by either
        assert _read(conn) == (1, [1])


def test_the_next_build_starts_from_the_retired_incremental_tables_without_a_copy(
    published: ConnectionInfo,
) -> None:
    incremental = [publish.Relation("marts", "facts")]
    with published.connect(autocommit=True) as conn:
        conn.execute("create table marts.scratch as select 1 as x")  # non-incremental, in the old build
        publish.publish(conn, "run-2", {"fact_count": "c", "fact_list": "c"}, incremental)
        # the retired build keeps only its incremental tables (the state one build behind)
        retired = conn.execute(
            "select c.relname from pg_class c where c.relnamespace = 'marts__old'::regnamespace"
            " and c.relkind = 'r'"
        ).fetchall()
        assert retired == [("facts",)]
        state = publish.prepare_shadow(conn, incremental, full_refresh=False, run_id="run-3")
        assert state == publish.ShadowState(reused=("marts.facts",))
        assert conn.execute("select count(*) from marts__next.facts").fetchone() == (1,)
        assert conn.execute("select to_regclass('marts__old.facts')").fetchone() == (None,)
        assert _read(conn) == (2, [1, 2])  # the published build is untouched


def test_a_publish_missing_an_api_view_publishes_nothing(published: ConnectionInfo) -> None:
    with published.connect(autocommit=True) as conn:
        with pytest.raises(RuntimeError, match="lacks api views customers"):
            publish.publish(conn, "run-2", {"fact_count": "c", "fact_list": "c", "customers": "c"})
        assert _read(conn) == (1, [1])


def test_only_the_run_that_built_the_shadow_may_publish_it(published: ConnectionInfo) -> None:
    """A refresh started meanwhile rebuilt the shadow schemas: the older run must not publish them."""
    with published.connect(autocommit=True) as conn:
        with pytest.raises(RuntimeError, match="belongs to run-2, not to run run-1"):
            publish.publish(conn, "run-1", {"fact_count": "c", "fact_list": "c"})
        assert _read(conn) == (1, [1])


def test_after_a_full_refresh_nothing_older_is_kept_to_build_on(published: ConnectionInfo) -> None:
    """A full refresh exists to forget the old state (a purge, a changed model): keep none of it."""
    incremental = [publish.Relation("marts", "facts")]
    with published.connect(autocommit=True) as conn:
        publish.begin_attempt(conn, "run-2", full_refresh=True)
        publish.publish(conn, "run-2", {"fact_count": "c", "fact_list": "c"}, incremental)
        assert conn.execute("select to_regnamespace('marts__old')").fetchone() == (None,)
        state = publish.prepare_shadow(conn, incremental, full_refresh=False, run_id="run-3")
    assert state == publish.ShadowState(copied=("marts.facts",))


def _state(conn: psycopg.Connection, schema: str) -> dict[str, tuple[str | None, str]]:
    rows = conn.execute(
        f"select domain, read_since::text, snapshot::text from {schema}.build_state"
    ).fetchall()
    return {row[0]: (row[1], row[2]) for row in rows}


def test_a_build_of_one_domain_leaves_the_other_published_and_its_state_kept_aside(
    published: ConnectionInfo,
) -> None:
    """Domain c has new loads, domain p none: only c is built and published. p's published table stays
    the same relation (confirmed by the refresh), its build state row is not advanced, and its shadow
    state is kept aside beside c's previous one for the next build."""
    incremental = [publish.Relation("marts", "facts"), publish.Relation("marts", "others")]
    owners = {("marts", "facts"): "c", ("marts", "others"): "p"}
    views = {"fact_count": "c", "fact_list": "c", "other_list": "p"}
    with published.connect(autocommit=True) as conn:
        # a published build of both domains, with the state each was built at
        conn.execute("create table marts.others as select 1 as n")
        conn.execute("create view api.other_list as select n from marts.others")
        publish.prepare_shadow(
            conn, [], full_refresh=False, run_id="run-2", building={"c": ["c1"], "p": ["p1"]}
        )
        conn.execute("alter table intermediate__next.build_state set schema intermediate")
        conn.execute(
            "insert into audit.published_resources (resource, domain, published_at, run_id, row_count)"
            " values ('other_list', 'p', now() - interval '1 day', 'run-2', 1)"
        )
        before = _state(conn, "intermediate")
        others = conn.execute("select 'marts.others'::regclass::oid").fetchone()
        publish.begin_attempt(conn, "run-3")
        state = publish.prepare_shadow(
            conn, incremental[:1], full_refresh=False, run_id="run-3", building={"c": ["c1"]}
        )
        assert state == publish.ShadowState(copied=("marts.facts", "intermediate.build_state"))
        shadow = _state(conn, "intermediate__next")
        assert shadow["p"] == before["p"]  # p is not built: its row is not advanced
        assert shadow["c"][0] == before["c"][1]  # c reads what committed since its published build
        conn.execute("insert into marts__next.facts values (5)")
        conn.execute("create view api__next.fact_count as select count(*) as n from marts__next.facts")
        conn.execute("create view api__next.fact_list as select n from marts__next.facts")
        only = publish.PartialPublish(frozenset({"c", "platform"}), owners, not_built=frozenset({"p"}))
        publish.publish(conn, "run-3", views, incremental, only=only)

        assert conn.execute("select 'marts.others'::regclass::oid").fetchone() == others
        assert _read(conn) == (2, [1, 5])
        assert _state(conn, "intermediate") == {"c": shadow["c"], "p": before["p"]}
        # kept aside for the next build: c's previous table and row, p's row as the shadow had it
        assert _state(conn, "intermediate__old") == {"c": before["c"], "p": before["p"]}
        assert conn.execute("select n from marts__old.facts").fetchall() == [(1,)]
        outcome = conn.execute("select outcome from audit.refresh_attempts where run_id = 'run-3'").fetchone()
        confirmed = conn.execute(
            "select run_id, published_at > now() - interval '1 hour' from audit.published_resources"
            " where resource = 'other_list'"
        ).fetchone()
    assert outcome == ("published",)
    assert confirmed == ("run-3", True)
