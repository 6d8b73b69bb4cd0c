"""Input files in (ingest) and the documents the law requires out (AEJ, Espelho de Ponto).

Every load runs on a prepared platform (database up and migrated), is atomic per file and idempotent,
and returns a :class:`LoadSummary` (what loaded, what was quarantined and why)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from orchestration.errors import PlatformError
from orchestration.ingest import afd_loader, olist
from orchestration.ingest.afd_loader import ingest_afd_file
from orchestration.ingest.files import check_input_file
from orchestration.ingest.olist import ingest_olist_dir
from orchestration.ingest.ponto_csv import EMPLOYEES, EMPLOYER, LOCAL_HOLIDAYS, SCHEDULES, ingest_csv
from orchestration.ingest.summary import LoadSummary
from orchestration.ponto_outputs import aej, aej_file_name, export_espelhos
from orchestration.service import progress
from orchestration.service.lifecycle import prepare
from orchestration.service.materializations import record_loads
from orchestration.settings import Settings


def _check_inputs(paths: list[Path]) -> None:
    """Missing files, links and non-regular files are refused before anything loads."""

    missing = [str(path) for path in paths if not (path.exists() or path.is_symlink())]
    if missing:
        raise PlatformError(f"no such file: {', '.join(missing)}")
    for path in paths:
        check_input_file(path)


class UnreadableInput(PlatformError):
    """Not one record could be read: the summary says why, file by file."""

    def __init__(self, summary: LoadSummary) -> None:
        super().__init__("nothing could be read from the input (see the reasons above)")
        self.summary = summary


def _readable(summary: LoadSummary) -> LoadSummary:
    if not summary.readable:
        raise UnreadableInput(summary)
    return summary


def ingest_olist(settings: Settings, folder: Path) -> LoadSummary:
    admin = prepare(settings)
    with progress.step(f"Loading {folder}"):
        summary = _readable(ingest_olist_dir(admin, folder))
    record_loads(olist.materializations(folder, summary))
    return summary


def ingest_afd(settings: Settings, files: list[Path], timezone: str) -> LoadSummary:
    _check_inputs(files)
    admin = prepare(settings)
    summary = LoadSummary()
    with progress.counted("Loading AFD files", len(files)) as starting:
        for path in files:
            starting(f"Loading {path.name}")
            summary.add(ingest_afd_file(admin, path, timezone))
    _readable(summary)
    record_loads({"afd_punches": afd_loader.materialization(summary)})
    return summary


def ingest_table(settings: Settings, kind: str, path: Path) -> LoadSummary:
    """One CSV of the controle_ponto registry: employees, schedules, (local) holidays or the employer."""

    specs = {"employees": EMPLOYEES, "schedules": SCHEDULES, "holidays": LOCAL_HOLIDAYS, "employer": EMPLOYER}
    _check_inputs([path])
    admin = prepare(settings)
    summary = LoadSummary()
    with progress.step(f"Loading {path}"):
        item = summary.add(ingest_csv(admin, specs[kind], path))
    _readable(summary)
    record_loads({specs[kind].table: item.metadata()})
    return summary


@dataclass(frozen=True)
class AejFile:
    path: Path
    records: int
    punches: int
    employees: int


def export_aej(settings: Settings, first: dt.date, last: dt.date, out: Path, employee: str | None) -> AejFile:
    """The AEJ (Portaria 671 art. 83) of a period as HR reads it; ``out`` a file, or a folder for the
    standard name."""

    admin = prepare(settings)
    with progress.step(f"Writing the AEJ of {first} to {last}"):
        content = aej(admin, first, last, employee)
        target = out / aej_file_name(content) if out.is_dir() else out
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    lines = content.split(b"\r\n")
    return AejFile(
        target,
        records=len(lines) - 1,
        punches=sum(line.startswith(b"05|") for line in lines),
        employees=sum(line.startswith(b"03|") for line in lines),
    )


def export_espelho(settings: Settings, month: dt.date, out: Path, employee: str | None) -> list[Path]:
    """The Espelho de Ponto (art. 84) of a month, one PDF per employee, into ``out``."""

    admin = prepare(settings)
    with progress.step(f"Rendering the Espelho de Ponto of {month:%Y-%m}"):
        return list(export_espelhos(admin, month, out, employee))
