"""Inbox folders watched by sensors: an entry is picked up once it has stopped changing."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from orchestration.defs.platform.resources import inbox as inbox_folder

PROCESSED = ".processed"


@dataclass(frozen=True)
class InboxEntry:
    path: Path
    fingerprint: str  # changes whenever a file of the entry changes

    @property
    def run_key(self) -> str:
        return f"{self.path.name}:{self.fingerprint}"


def entry_files(path: Path) -> list[Path]:
    """Regular files of an entry; symbolic links are never followed (they could point anywhere)."""
    if path.is_symlink():
        return []
    candidates = [path] if path.is_file() else path.rglob("*")
    return sorted(p for p in candidates if p.is_file() and not p.is_symlink())


def stable_entries(
    inbox: Path, settle_seconds: float = 5.0, now: float | None = None
) -> Iterator[InboxEntry]:
    """Folders (or files) directly in ``inbox`` whose newest file is older than ``settle_seconds``."""
    if not inbox.is_dir():
        return
    now = time.time() if now is None else now
    for entry in sorted(inbox.iterdir()):
        if entry.name.startswith("."):
            continue
        files = entry_files(entry)
        if not files:
            continue
        stats = [(str(f.relative_to(inbox)), f.stat().st_size, f.stat().st_mtime_ns) for f in files]
        if now - max(mtime for *_, mtime in stats) / 1e9 < settle_seconds:
            continue  # still being copied
        digest = hashlib.sha256(repr(stats).encode()).hexdigest()[:16]
        yield InboxEntry(path=entry, fingerprint=digest)


def inbox_only(inbox: Path, paths: list[str]) -> None:
    """The ingestion assets read the inbox only: a run launched by hand (the Dagster UI's launchpad)
    with another path is refused, so the UI can never make the platform read an arbitrary file.
    Files elsewhere are loaded with `bi-dash ingest`, by whoever may read them."""
    root = inbox.resolve()
    for path in filter(None, paths):
        resolved = Path(path).resolve()
        if resolved != root and root not in resolved.parents:
            raise dg.Failure(f"{path} is outside the inbox ({root}): refused")


def archive_path(entry: InboxEntry) -> Path:
    return entry.path.parent / PROCESSED / f"{entry.path.name}-{entry.fingerprint}"


def run_request(entry: InboxEntry, op_name: str, config: Mapping[str, object]) -> dg.RunRequest:
    """One run per settled inbox entry; the run key makes Dagster start it once per content."""
    return dg.RunRequest(
        run_key=entry.run_key,
        run_config={"ops": {op_name: {"config": dict(config)}}},
        tags={"bi_dash/inbox": entry.path.name},
    )


# an entry's run config for the load op; None while the entry is not complete yet
EntryConfig = Callable[[InboxEntry], Mapping[str, object] | None]


def run_requests(folder: Path, op_name: str, config_of: EntryConfig) -> list[dg.RunRequest]:
    """One run request per settled, complete entry of ``folder``."""
    configs = ((entry, config_of(entry)) for entry in stable_entries(folder))
    return [run_request(entry, op_name, config) for entry, config in configs if config is not None]


def inbox_sensor(
    *,
    source: str,
    load: dg.AssetsDefinition,
    job: dg.UnresolvedAssetJobDefinition,
    config_of: EntryConfig,
    waiting_for: str,
) -> dg.SensorDefinition:
    """``<source>_inbox_sensor``, the sensor of one source's inbox folder ($BI_DASH_HOME/inbox/<source>):
    a run of ``job`` per settled entry, the op of the ``load`` asset configured by ``config_of``."""
    name, op_name = f"{source}_inbox_sensor", load.op.name

    @dg.sensor(name=name, job=job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
    def _sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        folder = Path(inbox_folder(source))
        requests = run_requests(folder, op_name, config_of)
        waiting = None if requests else f"no {waiting_for} in {folder}"
        return dg.SensorResult(run_requests=requests, skip_reason=waiting)

    return _sensor
