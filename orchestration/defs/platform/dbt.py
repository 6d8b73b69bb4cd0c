"""The one DbtProject of the platform and the translator from dbt nodes to Dagster assets."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from functools import cache, cached_property
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject
from packaging.version import Version

from orchestration.errors import PlatformError
from orchestration.publish.layers import DOMAINS, SHADOW
from orchestration.quality.suites import freshness_hours
from orchestration.runtime.environment import dbt_executable
from orchestration.settings import Settings, get_settings


def _project(settings: Settings) -> DbtProject:
    return DbtProject(
        project_dir=settings.dbt_project_dir,
        target_path=settings.dbt_target_dir,
        profiles_dir=settings.dbt_profiles_dir,
    )


@cache
def dbt_project() -> DbtProject:
    """Built when first needed (not at import); parses the project when the manifest is missing."""
    settings = get_settings()
    project = _project(settings)
    if not project.manifest_path.exists():
        run_dbt(settings, ["parse", "--quiet"])
    return project


class BiDashDbtCli(DbtCliResource):
    """dagster-dbt's dbt resource without two things it does before every dbt command, ~3 s of each
    refresh's dbt step, that bi-dash does not use:

    - ``dbt --version`` in a subprocess, to learn the version of the dbt it runs: that dbt is this
      environment's dbt-core (``runtime.environment.dbt_executable``), whose version its package says;
    - a dbt-core adapter in this process, which only serves dagster-dbt's ``fetch_row_counts`` and
      ``fetch_column_metadata`` (bi-dash fetches neither: its row counts are the GX api checks').

    Both are private methods of dagster-dbt (pinned to 0.29 in pyproject.toml); if a later version renames
    them, dbt runs as before, only slower."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(package_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None


def dbt_resource(settings: Settings | None = None) -> DbtCliResource:
    """The one way bi-dash runs dbt: the assets hold it, the CLI parses with it."""
    project = dbt_project() if settings is None else _project(settings)
    # DbtCliResource.__init__ takes a DbtProject; the pydantic plugin types the subclass from its fields
    return BiDashDbtCli(project_dir=project, dbt_executable=dbt_executable())  # type: ignore[arg-type]


def run_dbt(settings: Settings, args: list[str], target_path: Path | None = None) -> None:
    """A dbt command through :func:`dbt_resource`, its log lines into ``logs/dbt-cli.log`` (never the
    terminal); a failure is one PlatformError line with dbt's first error."""
    log = settings.log_dir / "dbt-cli.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as handle, contextlib.redirect_stdout(handle):
        handle.write(f"$ dbt {' '.join(args)}\n")
        invocation = dbt_resource(settings).cli(
            args, target_path=target_path or settings.dbt_target_dir, raise_on_error=False
        )
        invocation.wait()
        succeeded = invocation.is_successful()
    if not succeeded:
        error = first_dbt_error(str(invocation.get_error()))
        raise PlatformError(f"dbt {args[0]} failed: {error}; see {log}")


def first_dbt_error(error: str) -> str:
    """dbt's first error and its detail on one line ("Compilation Error: Model … was not found")."""
    parsed = error.split("Errors parsed from dbt logs:", 1)
    if len(parsed) < 2:
        return "see the log"
    lines = [line.strip() for line in parsed[1].splitlines()]
    lines = [line for line in lines if line and line != "Encountered an error:"]
    return ": ".join(lines[:2]) or "see the log"


def layer_and_domain(fqn: list[str]) -> tuple[str | None, str | None]:
    """``['bi_dash', 'api', 'customer_360', 'customers']`` → ``('api', 'customer_360')``."""
    layer = fqn[1] if len(fqn) > 2 else None
    domain = fqn[2] if len(fqn) > 3 and fqn[2] in DOMAINS else None
    return layer, domain


class BiDashTranslator(DagsterDbtTranslator):
    """Asset keys are ``<schema>/<name>``; groups are the domain folder; raw sources are ``raw/<table>``."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        layer, _ = layer_and_domain(dbt_resource_props["fqn"])
        return dg.AssetKey([layer or "dbt", dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        _, domain = layer_and_domain(dbt_resource_props["fqn"])
        return domain or "platform"

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        layer, domain = layer_and_domain(dbt_resource_props["fqn"])
        return {
            **super().get_metadata(dbt_resource_props),
            "layer": layer or "",
            "domain": domain or "",
        }

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        """A dbt test's check carries its severity, like the GX checks (error holds back its domain)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        severity = str(manifest["nodes"][unique_id]["config"].get("severity", "error")).lower()
        return spec.with_metadata({**spec.metadata, "severity": "warn" if severity == "warn" else "error"})


def translator() -> BiDashTranslator:
    return BiDashTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def manifest() -> dict[str, Any]:
    return json.loads(dbt_project().manifest_path.read_text())


def incremental_relations(
    nodes: Mapping[str, Any], domains: Collection[str] | None = None
) -> list[tuple[str, str]]:
    """(schema, table) of every incremental model (of ``domains``): their state is carried into the
    shadow build."""
    return sorted(
        (node["schema"].removesuffix(SHADOW), node.get("alias") or node["name"])
        for node in nodes.values()
        if node["resource_type"] == "model"
        and node["config"].get("materialized") == "incremental"
        and (domains is None or layer_and_domain(node["fqn"])[1] in domains)
    )


def domain_raw_tables(sources: Mapping[str, Any]) -> dict[str, list[str]]:
    """domain → the raw tables its dbt sources name (what a build of it reads; a raw source outside the
    domain folders counts for every domain)."""
    tables: dict[str, set[str]] = {domain: set() for domain in DOMAINS}
    for source in sources.values():
        if source["schema"] != "raw":
            continue
        _, domain = layer_and_domain(source["fqn"])
        for name in [domain] if domain else DOMAINS:
            tables[name].add(source.get("identifier") or source["name"])
    return {domain: sorted(names) for domain, names in tables.items()}


def domain_folders(domains: Collection[str]) -> str:
    """dbt's node selection of the folders of ``domains`` in every layer (models/<layer>/<domain>, with
    the tests written there), as one space-separated value."""
    return " ".join(f"path:models/*/{domain}" for domain in sorted(domains))


def incremental_fingerprints(manifest: Mapping[str, Any]) -> dict[str, str]:
    """'<schema>.<table>' of each incremental model -> a hash of its definition: its SQL, its config and
    the macros it calls (a change in any of them can make the saved incremental state wrong)."""

    macros = manifest.get("macros", {})
    fingerprints = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"].get("materialized") != "incremental":
            continue
        digest = hashlib.sha256(node["checksum"]["checksum"].encode())
        digest.update(json.dumps(node["config"], sort_keys=True, default=str).encode())
        for macro in sorted(node.get("depends_on", {}).get("macros", [])):
            digest.update(macros.get(macro, {}).get("macro_sql", "").encode())
        schema = node["schema"].removesuffix(SHADOW)
        fingerprints[f"{schema}.{node.get('alias') or node['name']}"] = digest.hexdigest()
    return fingerprints


def api_resources(nodes: Mapping[str, Any]) -> dict[str, str]:
    """api view → domain ('platform' for cross-domain resources such as data_status)."""
    resources: dict[str, str] = {}
    for node in nodes.values():
        if node["resource_type"] != "model":
            continue
        layer, domain = layer_and_domain(node["fqn"])
        if layer == "api":
            resources[node.get("alias") or node["name"]] = domain or "platform"
    return resources


def relation_domains(nodes: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """(layer schema, relation) → domain of every model below the api layer ('platform' outside the
    domain folders)."""
    relations: dict[tuple[str, str], str] = {}
    for node in nodes.values():
        if node["resource_type"] != "model":
            continue
        layer, domain = layer_and_domain(node["fqn"])
        if layer and layer != "api":
            relations[(layer, node.get("alias") or node["name"])] = domain or "platform"
    return relations


def cross_domain_reads(nodes: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(model, model it reads) pairs whose domains differ: a domain is published on its own checks only
    because there are none (tests/dbt pins it)."""
    pairs = []
    for unique_id, node in nodes.items():
        if node["resource_type"] != "model":
            continue
        own = layer_and_domain(node["fqn"])[1] or "platform"
        for parent in node.get("depends_on", {}).get("nodes", []):
            if (
                parent.startswith("model.")
                and (layer_and_domain(nodes[parent]["fqn"])[1] or "platform") != own
            ):
                pairs.append((unique_id, parent))
    return pairs


def row_counted_resources(nodes: Mapping[str, Any]) -> dict[str, str]:
    """api view → domain, for the views whose row count is compared with the published build: not those
    whose model says ``meta: {row_count_vs_published: false}`` (a queue that shrinks when things get
    fixed, such as punch_anomalies)."""
    counted: dict[str, str] = {}
    resources = api_resources(nodes)
    for node in nodes.values():
        name = node.get("alias") or node["name"]
        if node["resource_type"] != "model" or name not in resources:
            continue
        meta = {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}
        if meta.get("row_count_vs_published", True) is not False:
            counted[name] = resources[name]
    return counted


def fresh_sources(sources: Mapping[str, Any]) -> dict[str, tuple[str, float]]:
    """raw table → (domain, warn_after hours) for each source table that declares freshness."""

    declared: dict[str, tuple[str, float]] = {}
    for source in sources.values():
        if source["schema"] != "raw":
            continue
        freshness = source.get("freshness") or (source.get("config") or {}).get("freshness")
        hours = freshness_hours(freshness)
        if hours is not None:
            _, domain = layer_and_domain(source["fqn"])
            declared[source["name"]] = (domain or "platform", hours)
    return declared
