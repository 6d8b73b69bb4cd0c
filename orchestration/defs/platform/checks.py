"""Great Expectations suites as Dagster asset checks (through our GX 1.x bridge).

Two ``@multi_asset_check`` steps evaluate the expectations of the domains (``defs/<domain>/checks.py``):
``raw_input_checks`` before the dbt build (the raw inputs) and ``api_resource_checks`` after it (the
api resources of the shadow build). A failing ``error`` check holds back its domain: the publish step
(``platform/published_build``) publishes the other domains and fails the run; ``warn`` checks only
report. Results are written to ``audit.check_results`` (what the gate reads) and ``api.data_status``.
"""

import dagster as dg

from orchestration import publish
from orchestration.change_detection import rows_to_check
from orchestration.defs.controle_ponto import checks as controle_ponto_checks
from orchestration.defs.customer_360 import checks as customer_360_checks
from orchestration.defs.platform.assets import forced_build
from orchestration.defs.platform.dbt import fresh_sources, manifest, row_counted_resources
from orchestration.defs.platform.resources import PlatformDatabase
from orchestration.defs.platform.steps import API_CHECKS_STEP, RAW_CHECKS_STEP
from orchestration.quality.suites import (
    MIN_ROW_SHARE,
    Expectation,
    SuiteContext,
    derived_expectations,
)

# every domain's written expectations (the derived ones are added per run: all_expectations)
EXPECTATIONS: tuple[Expectation, ...] = customer_360_checks.EXPECTATIONS + controle_ponto_checks.EXPECTATIONS


def all_expectations() -> tuple[Expectation, ...]:
    loaded = manifest()
    return EXPECTATIONS + derived_expectations(
        row_counted_resources(loaded["nodes"]), fresh_sources(loaded["sources"])
    )


class GxChecksConfig(dg.Config):
    # share of the published rows an api resource must keep (0: accept a deliberate purge)
    min_row_share: float = MIN_ROW_SHARE


def _severity(expectation: Expectation) -> dg.AssetCheckSeverity:
    """Always WARN for Dagster: an ERROR result of a blocking check would skip the publish of every
    domain, and a domain is held back by the publish step on its own checks only. The expectation's
    own severity is in the result's metadata and in audit.check_results."""
    return dg.AssetCheckSeverity.WARN


def gx_checks() -> list[dg.AssetChecksDefinition]:
    expectations = all_expectations()
    return [
        _gx_check_step(RAW_CHECKS_STEP, tuple(item for item in expectations if item.layer == "raw")),
        _gx_check_step(API_CHECKS_STEP, tuple(item for item in expectations if item.layer == "api")),
    ]


def _gx_check_step(name: str, expectations: tuple[Expectation, ...]) -> dg.AssetChecksDefinition:
    specs = [
        dg.AssetCheckSpec(
            name=item.name,
            asset=dg.AssetKey(item.asset.split("/")),
            description=f"[{item.severity}] {item.description}",
            # blocking: what is downstream (the dbt build, the publish) waits for the checks. Dagster
            # stops what follows a failed *ERROR* result, which would hold back every domain; the gate is
            # per domain instead (platform/published_build), so results reach Dagster as WARN (_severity)
            blocking=True,
            metadata={"severity": item.severity, "domain": item.domain, "engine": "great_expectations"},
        )
        for item in expectations
    ]

    # can_subset: a refresh that builds some domains checks theirs (and the platform's) only
    @dg.multi_asset_check(specs=specs, name=name, can_subset=True)
    def _great_expectations(
        context: dg.AssetCheckExecutionContext, database: PlatformDatabase, config: GxChecksConfig
    ):
        # deferred: Great Expectations takes seconds to import; the definitions load without it
        from orchestration.quality.gx_bridge import run_suites

        settings = database.settings()
        transformer = database.transformer()
        with transformer.connect(autocommit=True) as conn:
            publish.begin_attempt(conn, context.run.run_id)
            # the raw checks read the rows loaded since the published build when that is all that changed
            raw_rows: dict[str, str] = {}
            every_row: str | None = None
            if any(item.layer == "raw" for item in expectations):
                every_row = forced_build(context.run.run_config)
                if every_row is None:
                    raw_rows, every_row = rows_to_check(conn, settings, context.run.run_id)
            suite_context = SuiteContext(
                api_schema=publish.shadow("api"),
                published_rows=publish.published_row_counts(conn),
                min_row_share=config.min_row_share,
                raw_rows=raw_rows,
            )
            # the domains this run builds, and the platform's (decided by the dbt step: the raw checks
            # run before it decides, so they check every domain; the api checks, after it, only those)
            built = publish.built_domains(conn, context.run.run_id)
            selected = tuple(
                item
                for item in expectations
                if (built is None or item.domain in (*built, "platform"))
                and dg.AssetCheckKey(dg.AssetKey(item.asset.split("/")), item.name)
                in context.selected_asset_check_keys
            )
            scope = ""
            if every_row:
                scope = f", on every row of the raw tables: {every_row}"
            elif raw_rows:
                scope = ", on the rows of the raw tables loaded since the published build"
            context.log.info(f"Validating {len(selected)} expectations (Great Expectations){scope}")
            with publish.failing_marks_attempt(conn, context.run.run_id):
                evaluations = run_suites(
                    name,
                    selected,
                    suite_context,
                    database_url=transformer.url("postgresql+psycopg"),
                    project_root=settings.home,
                    docs_dir=settings.docs_dir / "gx",
                )
            outcomes = [
                publish.CheckOutcome(
                    asset=item.expectation.asset,
                    check_name=item.expectation.name,
                    domain=item.expectation.domain,
                    source="great_expectations",
                    severity=item.expectation.severity,
                    passed=item.passed,
                    summary=item.summary,
                )
                for item in evaluations
            ]
            publish.record_checks(conn, context.run.run_id, outcomes)
            blocking = [
                f"{item.label} ({item.domain})"
                for item in outcomes
                if not item.passed and item.severity == "error"
            ]
            if blocking:
                context.log.error(
                    f"Blocking checks failed (their domains will not publish): {', '.join(blocking)}"
                )
        for item in evaluations:
            yield dg.AssetCheckResult(
                asset_key=dg.AssetKey(item.expectation.asset.split("/")),
                check_name=item.expectation.name,
                passed=item.passed,
                severity=_severity(item.expectation),
                description=item.expectation.description,
                metadata={
                    "severity": item.expectation.severity,
                    "gx_result": dg.MetadataValue.json(item.summary),
                },
            )

    return _great_expectations
