"""The refresh as assets: dbt builds every layer into the shadow schemas (dbt tests are asset checks),
then ``platform/published_build`` publishes it when every blocking check passed (write-audit-publish)."""

import graphlib
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import dagster as dg
import psycopg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration import publish
from orchestration.change_detection import plan_build, project_digest
from orchestration.defs.platform.dbt import (
    api_resources,
    dbt_project,
    domain_folders,
    domain_raw_tables,
    incremental_fingerprints,
    incremental_relations,
    layer_and_domain,
    relation_domains,
    translator,
)
from orchestration.defs.platform.resources import PlatformDatabase
from orchestration.defs.platform.steps import DBT_STEP
from orchestration.docs_site import publish_docs
from orchestration.settings import get_settings

PUBLISHED_BUILD = dg.AssetKey(["platform", "published_build"])


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild incremental models from scratch (after a schema change)
    every_domain: bool = False  # build every domain, new loads or not (`bi-dash refresh --force`)


def forced_build(run_config: Mapping[str, Any]) -> str | None:
    """Why a run builds whatever was loaded, as its config for the dbt step says (None: it does not)."""
    config = DbtBuildConfig(**run_config.get("ops", {}).get(DBT_STEP, {}).get("config", {}))
    if config.full_refresh:
        return "a full refresh (--full-refresh)"
    if config.every_domain:
        return "a build of every domain (--force)"
    return None


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
        name=DBT_STEP,
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
                config = DbtBuildConfig(full_refresh=True, every_domain=True)
            digest = project_digest(dbt_project().project_dir)
            publish.begin_attempt(conn, context.run_id, config.full_refresh, digest)
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
    """Copy the incremental state into fresh shadow schemas, dbt build there, record the dbt tests.

    Only the domains with something new are built (change_detection.plan_build): the others keep their
    published build, and the publish step leaves it in place."""
    manifest = _manifest()
    domains = None
    if not (config.full_refresh or config.every_domain):
        domains = plan_build(conn, get_settings(), context.run_id).domains
    publish.record_domains(conn, context.run_id, domains)
    raw_tables = domain_raw_tables(manifest["sources"])
    building = {
        domain: tables for domain, tables in raw_tables.items() if domains is None or domain in domains
    }
    relations = [publish.Relation(*item) for item in incremental_relations(manifest["nodes"], domains)]
    started = time.perf_counter()
    state = publish.prepare_shadow(conn, relations, config.full_refresh, context.run_id, building)
    context.log.info(
        f"Shadow schemas (*{publish.SHADOW}) prepared in {time.perf_counter() - started:.1f}s;"
        f" incremental state kept from the previous build: {', '.join(state.reused) or 'none'};"
        f" copied from the published build: {', '.join(state.copied) or 'none'}."
        " Building there; the API keeps serving the published build."
    )
    if domains is not None:
        others = sorted(set(raw_tables) - domains)
        context.log.info(
            f"Building {', '.join(sorted(domains))} only: nothing new for {', '.join(others)} since its"
            " published build, which stays as it is."
        )
    # unit tests check the SQL, not the data: `make test` and `bi-dash lint` run them, a refresh does not
    args = [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--vars",
        json.dumps({"schema_suffix": publish.SHADOW, "program_version": _version()}),
    ]
    if domains is not None:
        # the domains left out, excluded from the run's selection (dagster-dbt passes every asset the
        # run selected; an --exclude is kept beside it, a second --select would not be)
        args += ["--exclude", domain_folders(set(raw_tables) - domains)]
    # one target folder for every shadow build (not one per run: 9 MB left behind each time), built
    # with the same vars each time, so dbt's partial parsing skips the parse when nothing changed
    invocation = dbt.cli(
        [*args, *(["--full-refresh"] if config.full_refresh else [])],
        context=context,
        raise_on_error=False,
        target_path=get_settings().dbt_target_dir / "shadow_build",
    )
    yield from _as_domain_gated(context, invocation.stream(), domains)
    outcomes = dbt_outcomes(invocation.get_artifact("run_results.json"), manifest)
    publish.record_checks(conn, context.run_id, outcomes)
    if invocation.is_successful():
        return
    failing = [item for item in outcomes if not item.passed and item.severity == "error"]
    if failing:
        # a failing test or a model that did not build holds back its own domain: the publish step
        # decides per domain, after the api checks
        context.log.warning(
            "dbt build: failing blocking checks " + ", ".join(f"{i.label} ({i.domain})" for i in failing)
        )
        return
    message = "dbt build failed before it reached the models; see the dbt log"
    publish.finish_attempt(conn, context.run_id, "failed", message)
    raise dg.Failure(description=f"Not published: {message}; the API keeps the last build")


def _as_domain_gated(
    context: dg.AssetExecutionContext, events: Iterator[Any], domains: frozenset[str] | None = None
) -> Iterator[Any]:
    """The dbt events as the per-domain gate needs them.

    dbt test results reach Dagster as WARN, like the GX checks (checks.py ``_severity``): an ERROR result
    of a blocking check would fail the step and hold back every domain, while a failing test holds back
    its own domain only (the publish step decides; the severity stays in the metadata). The models dbt
    skipped (downstream of a failing test or model) are reported as not built: without an output for
    them Dagster would skip the checks and the publish step, and the other domains would not publish.
    So are the models of the domains this build left out (``domains``: nothing new for them)."""
    yielded: set[str] = set()
    for event in events:
        if isinstance(event, dg.Output):
            yielded.add(event.output_name)
        if (
            isinstance(event, dg.AssetCheckResult)
            and not event.passed
            and event.severity == dg.AssetCheckSeverity.ERROR
        ):
            event = event._replace(
                severity=dg.AssetCheckSeverity.WARN,
                metadata={**event.metadata, "severity": dg.MetadataValue.text("error")},
            )
        yield event
    names = {key: name for name, key in context.assets_def.keys_by_output_name.items()}
    missing = {key for key in context.selected_asset_keys if key in names and names[key] not in yielded}
    deps = context.assets_def.asset_deps
    order = graphlib.TopologicalSorter({key: deps.get(key, set()) & missing for key in missing})
    for key in order.static_order():  # Dagster wants a multi-asset's outputs in dependency order
        domain = context.assets_def.metadata_by_key.get(key, {}).get("domain") or "platform"
        status = "not built: dbt skipped it after a failing test or model upstream"
        if domains is not None and domain not in (*domains, "platform"):
            status = f"not rebuilt: nothing new for {domain}; its published build stays"
        yield dg.Output(None, output_name=names[key], metadata={"status": status})


def _version() -> str:
    """The installed bi-dash version (the AEJ names the program and its version)."""

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
        context: dg.AssetExecutionContext, database: PlatformDatabase, dbt: DbtCliResource
    ) -> dg.MaterializeResult:
        with database.transformer().connect(autocommit=True) as conn:
            manifest = _manifest()
            nodes = manifest["nodes"]
            resources = api_resources(nodes)
            built = publish.built_domains(conn, context.run_id)
            everything = set(resources.values())
            gate = _gate(
                publish.failed_checks_by_domain(conn, context.run_id),
                everything,
                None if built is None else {*built, "platform"},
            )
            if not gate.publishing:  # every domain failed a blocking check
                publish.finish_attempt(conn, context.run_id, "blocked", gate.message)
                raise dg.Failure(f"Not published: {gate.message}")
            started = time.perf_counter()
            with publish.failing_marks_attempt(conn, context.run_id):
                relations = [publish.Relation(*item) for item in incremental_relations(nodes)]
                only = None
                if gate.publishing != everything:
                    only = publish.PartialPublish(
                        frozenset(gate.publishing),
                        relation_domains(nodes),
                        gate.message,
                        not_built=frozenset(everything - {*(built or everything), "platform"}),
                    )
                summary = publish.publish(
                    conn, context.run_id, resources, relations, incremental_fingerprints(manifest), only
                )
        context.log.info(
            f"Published {len(summary.resources)} api resources in {time.perf_counter() - started:.1f}s"
            " (one transaction); PostgREST reloads its schema cache"
        )
        started = time.perf_counter()
        site, generated = publish_docs(
            database.settings(), lambda target: dbt.cli(["docs", "generate"], target_path=target).wait()
        )
        if generated:
            context.log.info(
                f"dbt docs of the published build generated in {time.perf_counter() - started:.1f}s"
            )
        else:
            context.log.info("dbt docs unchanged: same project as the build they describe")
        if gate.held_back:
            # what passed is published; the run still fails, so the held-back domains are seen
            raise dg.Failure(
                description=f"Partly published ({', '.join(sorted(gate.publishing))}): {gate.message}",
                metadata={"rows": dg.MetadataValue.json(summary.resources)},
            )
        return dg.MaterializeResult(
            metadata={
                "rows": dg.MetadataValue.json(summary.resources),
                "docs": dg.MetadataValue.path(str(site)),
            }
        )

    return _published_build


@dataclass(frozen=True)
class Gate:
    publishing: set[str]
    held_back: dict[str, list[str]]  # domain -> its failing blocking checks

    @property
    def message(self) -> str:
        """Per held-back domain, its first failing checks, upstream first (a raw check that failed is
        usually why the api checks below it failed too); all of them are in audit.check_results."""
        layers = ("raw", "staging", "intermediate", "marts", "api")

        def upstream_first(label: str) -> tuple[int, str]:
            layer = label.split("/", 1)[0]
            return (layers.index(layer) if layer in layers else len(layers), label)

        parts = []
        for domain, checks in sorted(self.held_back.items()):
            ordered = sorted(checks, key=upstream_first)
            more = f" and {len(ordered) - 5} more" if len(ordered) > 5 else ""
            parts.append(f"{domain} not published (failing checks: {', '.join(ordered[:5])}{more})")
        return "; ".join(parts)


def _gate(failing: dict[str, list[str]], domains: set[str], built: set[str] | None = None) -> Gate:
    """Each domain of an api resource (``domains``) that this run built (``built``, None: all of them)
    publishes on its own blocking checks; the failing checks of a domain not built (a raw check of its
    unchanged inputs) hold nothing back. A check outside every domain of an api resource (none today)
    would hold back every domain: it cannot be told apart."""
    building = domains if built is None else domains & built
    if set(failing) - domains:
        return Gate(publishing=set(), held_back={d: sum(failing.values(), []) for d in building})
    return Gate(
        publishing={domain for domain in building if domain not in failing},
        held_back={domain: checks for domain, checks in failing.items() if domain in building},
    )


def _manifest() -> dict:
    return json.loads(dbt_project().manifest_path.read_text())


def _manifest_nodes() -> dict:
    return _manifest()["nodes"]
