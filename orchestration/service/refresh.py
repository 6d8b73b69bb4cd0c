"""The checked refresh (write-audit-publish), skipped when nothing changed since the published build."""

from __future__ import annotations

import time
from dataclasses import dataclass

from orchestration.change_detection import reason_to_build
from orchestration.publish import last_published_at
from orchestration.runtime.database import role_connection, start_database
from orchestration.service import progress
from orchestration.settings import Settings


@dataclass(frozen=True)
class RefreshResult:
    """``run_id`` is None when the refresh was skipped (nothing new since ``published_at``)."""

    run_id: str | None
    published_at: str | None = None
    warning_checks: tuple[str, ...] = ()
    seconds: float = 0.0


def refresh(
    settings: Settings, full_refresh: bool = False, allow_shrink: bool = False, force: bool = False
) -> RefreshResult:
    """Run the refresh job on a prepared platform (lifecycle.prepare); raises PlatformError, naming the
    failing checks, when it did not publish."""
    # deferred: the pipeline loads Dagster (~1 s); a refresh with nothing new skips it
    from orchestration.pipeline import heal_dead_runs, output_to_log, prepare_dbt, refresh_or_raise

    if not (full_refresh or allow_shrink or force):
        with role_connection(start_database(settings), settings, "transformer").connect() as conn:
            reason = reason_to_build(conn, settings)
            published_at = last_published_at(conn)
        if reason is None:
            progress.done(
                f"Nothing new since the build published at {published_at}: the API serves it"
                " (--force builds anyway)"
            )
            return RefreshResult(run_id=None, published_at=published_at)
        progress.note(f"Refreshing: {reason}")
    with progress.step("Preparing the dbt project (parsed only when it changed)"):
        prepare_dbt(settings)
    started = time.monotonic()
    log = settings.log_dir / "refresh.log"
    progress.note(f"Running the refresh job (Dagster and dbt log to {log})")
    # runs whose process died hold nothing: said here, before the run's own output goes to the log
    for healed in heal_dead_runs(settings):
        progress.warn(f"run {healed.run_id} of {healed.job_name} marked failed: {healed.reason}")
    with output_to_log(log) as terminal, progress.reporter.redirected(terminal):
        # --force builds every domain, not only those with new loads
        outcome = refresh_or_raise(settings, full_refresh, allow_shrink, progress.substep, every_domain=force)
    seconds = time.monotonic() - started
    progress.done(f"Refresh checked and published, run {outcome.run_id}", seconds)
    if outcome.warning_checks:
        progress.warn(f"warning checks failed (not blocking): {', '.join(outcome.warning_checks)}")
    return RefreshResult(run_id=outcome.run_id, warning_checks=outcome.warning_checks, seconds=seconds)
