"""The refresh as assets: dbt builds every layer into the shadow schemas (dbt tests are asset checks),
then ``platform/published_build`` publishes it when every blocking check passed (write-audit-publish)."""

import json
import time
from collections.abc import Iterator
from typing import Any

import dagster as dg
import psycopg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration import publish
from orchestration.defs.platform.dbt import (
    api_resources,
    dbt_project,
    incremental_fingerprints,
    incremental_relations,
    layer_and_domain,
    translator,
)
from orchestration.defs.platform.resources import PlatformDatabase
from orchestration.runtime.environment import dbt_executable

PUBLISHED_BUILD = dg.AssetKey(["platform", "published_build"])


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable())


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild incremental models from scratch (after a schema change)


def _subject(node: dict, nodes: dict) -> dict:
    """The model or source a dbt test is about (its attached node, else its first parent)."""
    if node["resource_type"] != "test":
        return node
    attached = node.get("attached_node") or next(iter(node.get("depends_on", {}).get("nodes", [])), None)
    return nodes.get(attached or "", node)


def dbt_outcomes(run_results: dict, manifest: dict) -> list[publish.CheckOutcome]:
    """dbt data tests (and models that failed to build) of one invocation, as audit check outcomes."""
    nodes = {**manifest["nodes"], **manifest["sources"]}
    outcomes = []
    for result in run_results["results"]:
        node = nodes.get(result["unique_id"])
        if node is None or result["status"] == "skipped":
            continue
        kind = node["resource_type"]
        if kind == "model" and result["status"] != "error":
            continue
        if kind not in ("model", "test"):
            continue
        subject = _subject(node, nodes)
        asset = "/".join(translator().get_asset_key(subject).path)
        _, domain = layer_and_domain(subject["fqn"])
        severity = str(node["config"].get("severity", "error")).lower() if kind == "test" else "error"
        outcomes.append(
            publish.CheckOutcome(
                asset=asset,
                check_name=node["name"] if kind == "test" else "dbt_build",
                domain=domain or "platform",
                source="dbt",
                severity="warn" if severity == "warn" else "error",
                passed=result["status"] in ("pass", "success"),
                summary={"status": result["status"], "message": (result.get("message") or "")[:500]},
            )
        )
    return outcomes


def dbt_models() -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=dbt_project().manifest_path,
        dagster_dbt_translator=translator(),
        name="dbt_models",
        project=dbt_project(),
    )
    def _dbt_models(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        database: PlatformDatabase,
        config: DbtBuildConfig,
    ):
        with database.transformer().connect(autocommit=True) as conn:
            changed = publish.changed_models(conn, incremental_fingerprints(_manifest()))
            if changed and not config.full_refresh:
                context.log.warning(
                    f"The definition of {', '.join(changed)} changed since the published build:"
                    " its incremental state no longer fits, so this refresh rebuilds from scratch."
                )
                config = DbtBuildConfig(full_refresh=True)
            publish.begin_attempt(conn, context.run_id, config.full_refresh)
            if not publish.acquire_refresh_lock(conn):
                message = "another refresh is building right now; try again when it has finished"
                publish.finish_attempt(conn, context.run_id, "failed", message)
                raise dg.Failure(message)
            with publish.failing_marks_attempt(conn, context.run_id):
                yield from _build_in_shadow(context, dbt, conn, config)

    return _dbt_models


def _build_in_shadow(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, conn: psycopg.Connection, config: DbtBuildConfig
) -> Iterator[Any]:
    """Copy the incremental state into fresh shadow schemas, dbt build there, record the dbt tests."""
    manifest = _manifest()
    relations = [publish.Relation(*item) for item in incremental_relations(manifest["nodes"])]
    started = time.perf_counter()
    state = publish.prepare_shadow(conn, relations, config.full_refresh, context.run_id)
    context.log.info(
        f"Shadow schemas (*{publish.SHADOW}) prepared in {time.perf_counter() - started:.1f}s;"
        f" incremental state kept from the previous build: {', '.join(state.reused) or 'none'};"
        f" copied from the published build: {', '.join(state.copied) or 'none'}."
        " Building there; the API keeps serving the published build."
    )
    args = ["build", "--vars", json.dumps({"schema_suffix": publish.SHADOW, "program_version": _version()})]
    invocation = dbt.cli(
        [*args, *(["--full-refresh"] if config.full_refresh else [])],
        context=context,
        raise_on_error=False,
    )
    yield from invocation.stream()
    outcomes = dbt_outcomes(invocation.get_artifact("run_results.json"), manifest)
    publish.record_checks(conn, context.run_id, outcomes)
    if invocation.is_successful():
        return
    failing = [item for item in outcomes if not item.passed and item.severity == "error"]
    built = all(item.check_name != "dbt_build" for item in failing)
    outcome = "blocked" if failing and built else "failed"
    names = ", ".join(item.label for item in failing) or "see the dbt log"
    publish.finish_attempt(conn, context.run_id, outcome, f"dbt build: {names}")
    raise dg.Failure(
        description=f"Not published: dbt build {outcome} ({names}); the API keeps the last build",
        metadata={"failing_checks": [item.label for item in failing]},
    )


def _version() -> str:
    """The installed bi-dash version (the AEJ names the program and its version)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("bi-dash")
    except PackageNotFoundError:
        return "dev"


def published_build() -> dg.AssetsDefinition:
    api_keys = [dg.AssetKey(["api", view]) for view in api_resources(_manifest_nodes())]

    @dg.asset(
        key=PUBLISHED_BUILD,
        deps=api_keys,
        group_name="platform",
        description=(
            "Publishes the checked shadow build in one transaction (schemas renamed, api views moved), "
            "records it in audit.published_resources and regenerates the dbt docs and GX Data Docs."
        ),
    )
    def _published_build(
        context: dg.AssetExecutionContext, database: PlatformDatabase
    ) -> dg.MaterializeResult:
        from orchestration.pipeline import publish_docs

        with database.transformer().connect(autocommit=True) as conn:
            blocking = publish.failed_checks(conn, context.run_id)
            if blocking:  # the checks already stop this step; this is the last line of defence
                publish.finish_attempt(conn, context.run_id, "blocked", ", ".join(blocking))
                raise dg.Failure(f"Not published: blocking checks failed: {', '.join(blocking)}")
            started = time.perf_counter()
            with publish.failing_marks_attempt(conn, context.run_id):
                manifest = _manifest()
                nodes = manifest["nodes"]
                relations = [publish.Relation(*item) for item in incremental_relations(nodes)]
                summary = publish.publish(
                    conn, context.run_id, api_resources(nodes), relations, incremental_fingerprints(manifest)
                )
        context.log.info(
            f"Published {len(summary.resources)} api resources in {time.perf_counter() - started:.1f}s"
            " (one transaction); PostgREST reloads its schema cache"
        )
        started = time.perf_counter()
        site = publish_docs(database.settings())
        context.log.info(f"dbt docs of the published build generated in {time.perf_counter() - started:.1f}s")
        return dg.MaterializeResult(
            metadata={
                "rows": dg.MetadataValue.json(summary.resources),
                "docs": dg.MetadataValue.path(str(site)),
            }
        )

    return _published_build


def _manifest() -> dict:
    return json.loads(dbt_project().manifest_path.read_text())


def _manifest_nodes() -> dict:
    return _manifest()["nodes"]
