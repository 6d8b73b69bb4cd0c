"""The Great Expectations (GX Core 1.x) → Dagster bridge: run the suites, return one result per check.

dagster-ge only supports GX < 1.0, so this small module does what it would: one GX table asset, suite
and validation definition per checked table, run by a checkpoint that also updates GX Data Docs.
Each expectation's outcome becomes a Dagster ``AssetCheckResult`` (see ``defs/platform/checks.py``)
with the GX result summary as metadata.

The GX project's stores live under ``$BI_DASH_HOME/gx`` (validation history for Data Docs); its
config stays in memory, and the connection string is never written anywhere: the data source names
``${BI_DASH_GX_DATABASE_URL}``, a runtime variable of the context.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from orchestration.ingest.files import make_private
from orchestration.quality.data_docs_offline import make_offline
from orchestration.quality.suites import Expectation, SuiteContext

URL_VARIABLE = "BI_DASH_GX_DATABASE_URL"
# tables whose failing values are personal identifiers (CPF, PIS): results keep counts, not samples
IDENTIFYING_TABLES = frozenset({"raw/employees"})
SUMMARY_KEYS = (
    "observed_value",
    "element_count",
    "unexpected_count",
    "unexpected_percent",
    "missing_count",
    "partial_unexpected_list",
)


# a raw table's batch of the rows committed since the published build (SuiteContext.raw_rows)
NEW_ROWS_SUFFIX = ".new_rows"
NEW_ROWS_BATCH = "rows loaded since the published build"


def _batch(expectation: Expectation, context: SuiteContext) -> tuple[str, str]:
    """(table, the condition selecting the rows it reads: '' for every row)."""
    if expectation.layer != "raw" or expectation.whole_table:
        return expectation.asset, ""
    return expectation.asset, context.raw_rows.get(expectation.table, "")


@dataclass(frozen=True)
class Evaluation:
    expectation: Expectation
    passed: bool
    summary: dict[str, Any]


def _summary(result: Any, identifying: bool) -> dict[str, Any]:
    details = dict(result.result or {})
    summary = {key: details[key] for key in SUMMARY_KEYS if key in details and details[key] is not None}
    if "details" in details and isinstance(details["details"], dict):
        observed = details["details"].get("unexpected_rows")
        if observed is not None and not identifying:
            summary["unexpected_rows_sample"] = [dict(row) for row in list(observed)[:10]]
    if identifying:
        summary.pop("partial_unexpected_list", None)
    if "partial_unexpected_list" in summary:
        summary["partial_unexpected_list"] = list(summary["partial_unexpected_list"])[:10]
    summary.update(_exception(result.exception_info))
    # Decimals, dates and timestamps of the data as strings: the summary is JSON metadata
    return dict(json.loads(json.dumps(summary, default=str)))


def _exception(info: Any) -> dict[str, str]:
    """GX reports an error either flat or per metric ({metric_id: {exception_message: …}})."""
    if not isinstance(info, dict):
        return {}
    candidates = [info, *(value for value in info.values() if isinstance(value, dict))]
    for candidate in candidates:
        message = candidate.get("exception_message")
        if message:
            return {"exception": str(message)[:500]}
    return {}


def _context(project_root: Path, database_url: str) -> Any:
    """A GX context whose stores are files under ``project_root/gx`` and whose project config stays in
    memory: the data source, assets, suites and definitions are code, made each run (a file context
    wrote its whole YAML config again for each of them, and read its config variables file for every
    lookup: seconds per check step). The connection string reaches it as a runtime variable: no file
    and no environment variable ever holds it."""
    # deferred: Great Expectations takes seconds to import; only the check steps need it
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        FilesystemStoreBackendDefaults,
        ProgressBarsConfig,
    )

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    root = project_root / "gx"
    # only the validation results (the history Data Docs shows) are kept. Stale definitions that name a
    # data asset of an older run would not load, and a run killed while GX wrote them leaves truncated
    # files that would fail every later run, so they go first; so do the config files of the file context
    # earlier versions used (its variables file held the connection string)
    for folder in ("expectations", "validation_definitions", "checkpoints"):
        shutil.rmtree(root / folder, ignore_errors=True)
    for stale in (root / "great_expectations.yml", root / "uncommitted" / "config_variables.yml"):
        stale.unlink(missing_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    make_private(root)
    config = DataContextConfig(
        store_backend_defaults=FilesystemStoreBackendDefaults(root_directory=str(root)),
        analytics_enabled=False,
        # Dagster logs show the progress; GX's tqdm bars would only clutter them
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    context = gx.get_context(
        mode="ephemeral", project_config=config, runtime_environment={URL_VARIABLE: database_url}
    )
    # an ephemeral context has no project file to write, yet GX serializes its whole config to YAML
    # after every data source and asset it adds (seconds per step over a few dozen assets)
    context._save_project_config = lambda: None  # type: ignore[method-assign]
    return context


def run_suites(
    name: str,
    expectations: Sequence[Expectation],
    suite_context: SuiteContext,
    database_url: str,
    project_root: Path,
    docs_dir: Path | None,
) -> list[Evaluation]:
    """Validate every expectation; returns them in order with pass/fail and the GX summary.

    ``name`` names the GX data source and checkpoints of this group of suites (one per Dagster step).
    ``database_url`` (with its password) reaches GX as a runtime variable of its context, in memory
    only: no file and no environment variable holds it.
    ``docs_dir``: where to copy the GX Data Docs site afterwards (None: leave it in the GX project).
    """
    # deferred: Great Expectations takes seconds to import; only the check steps need it
    import great_expectations as gx
    import great_expectations.expectations as gxe

    # raw tables carry loaded_xid (xid8): importing the models teaches SQLAlchemy's reflection the type,
    # which GX needs for every column of the tables it checks
    import migrations.models  # noqa: F401

    context = _context(project_root, database_url)
    source = context.data_sources.add_or_update_sql(name=name, connection_string="${" + URL_VARIABLE + "}")

    def batch_key(expectation: Expectation) -> tuple[str, str]:
        return _batch(expectation, suite_context)

    by_batch = {key: list(items) for key, items in groupby(sorted(expectations, key=batch_key), batch_key)}
    definitions: dict[bool, list[Any]] = {True: [], False: []}
    unavailable: dict[str, str] = {}  # table -> why its expectations could not be evaluated
    suites: dict[str, str] = {}  # GX suite name -> the table its expectations check
    for (table, rows), items in by_batch.items():
        layer, table_name = table.split("/")  # not `name`: that names this group's checkpoints below
        schema = suite_context.api_schema if layer == "api" else layer
        label = table.replace("/", ".") + (NEW_ROWS_SUFFIX if rows else "")
        try:
            if rows:
                asset = source.add_query_asset(
                    name=label, query=f'select * from "{schema}"."{table_name}" where {rows}'
                )
            else:
                asset = source.add_table_asset(name=label, table_name=table_name, schema_name=schema)
        except Exception as exc:  # noqa: BLE001 - GX raises its own types; e.g. a model dbt did not build
            unavailable[table] = f"{schema}.{table_name} cannot be read: {str(exc).splitlines()[0][:300]}"
            continue
        batch = asset.add_batch_definition_whole_table(NEW_ROWS_BATCH if rows else "whole table")
        suites[label] = table
        suite = gx.ExpectationSuite(name=label)
        for item in items:
            expectation = item.build(gxe, suite_context)
            expectation.meta = {"check": item.name, "severity": item.severity, "domain": item.domain}
            expectation.notes = item.description
            suite.add_expectation(expectation)
        suite = context.suites.add_or_update(suite)
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=label, data=batch, suite=suite)
        )
        definitions[table in IDENTIFYING_TABLES].append(definition)

    outcomes: dict[tuple[str, str], Evaluation] = {}
    index = {(item.asset, item.name): item for item in expectations}
    validated: list[Any] = []  # this run's validation result identifiers (their Data Docs pages)
    for identifying, group in definitions.items():
        if not group:
            continue
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=f"{name}_identifiers" if identifying else name,
                validation_definitions=group,
                result_format="BOOLEAN_ONLY" if identifying else "SUMMARY",
            )
        )
        result = checkpoint.run()
        validated.extend(result.run_results)
        for validation in result.run_results.values():
            table = suites[validation.suite_name]
            for item_result in validation.results:
                check = item_result.expectation_config.meta.get("check")
                key = (table, check)
                if key in index:
                    outcomes[key] = Evaluation(
                        expectation=index[key],
                        passed=bool(item_result.success),
                        summary=_summary(item_result, identifying),
                    )
    # Data Docs: the pages of this run's validations and the index, rendered once (an action per
    # checkpoint re-rendered the whole site each time); the history is bounded (KEEP_VALIDATIONS)
    _prune_validations(project_root / "gx" / "uncommitted")
    context.build_data_docs(resource_identifiers=validated)
    site = project_root / "gx" / "uncommitted" / "data_docs" / "local_site"
    if site.exists():
        try:  # the pages' CDN scripts and stylesheets replaced by vendored copies (works offline)
            make_offline(site)
        except FileNotFoundError as missing:
            logging.getLogger("bi_dash.gx").warning(f"GX Data Docs need the network to render: {missing}")
    if docs_dir is not None and site.exists():
        _replace_tree(site, docs_dir)
    # an expectation GX did not report on counts as failed: a check that did not run must not pass
    return [
        outcomes.get(
            (item.asset, item.name),
            Evaluation(item, False, {"exception": unavailable.get(item.asset, "not evaluated by GX")}),
        )
        for item in expectations
    ]


# validation results kept per suite (and their Data Docs pages): the recent history, not every run ever
KEEP_VALIDATIONS = 30


def _prune_validations(uncommitted: Path, keep: int = KEEP_VALIDATIONS) -> None:
    """Drop all but the newest ``keep`` runs of each suite, with their Data Docs pages.

    Layout (GX file stores): ``validations/<suite path>/<run name>/<run time>/<batch>.json`` and the
    same path under ``data_docs/local_site/validations`` with ``.html``.
    """
    store = uncommitted / "validations"
    pages = uncommitted / "data_docs" / "local_site" / "validations"
    if not store.is_dir():
        return
    results = list(store.rglob("*.json"))
    for result in results:  # a result half-written by a killed run would break every later index
        try:
            json.loads(result.read_text())
        except (ValueError, OSError):
            result.unlink(missing_ok=True)
    suites = {path.parents[2] for path in results}
    for suite in suites:
        runs = sorted((run for run in suite.iterdir() if run.is_dir()), key=lambda run: run.stat().st_mtime)
        for run in runs[: max(len(runs) - keep, 0)]:
            shutil.rmtree(run, ignore_errors=True)
            shutil.rmtree(pages / run.relative_to(store), ignore_errors=True)


def _replace_tree(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` so pages pruned from the source disappear from the target too."""
    staging = target.with_name(target.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging)
    retired = target.with_name(target.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
