"""Shared by the benchmark scripts: run the real CLI in a throw-away home and time it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BI_DASH = str(Path(sys.executable).parent / "bi-dash")


def fresh_home(prefix: str) -> tuple[Path, dict[str, str]]:
    """A new BI_DASH_HOME and an environment without any inherited platform variable."""
    home = Path(tempfile.mkdtemp(prefix=prefix))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BI_DASH_", "DAGSTER_", "DBT_"))}
    env.pop("DATABASE_URL", None)
    env["BI_DASH_HOME"] = str(home)
    return home, env


def run(env: dict[str, str], *args: str) -> float:
    """Run `bi-dash ARGS`; seconds it took (exits with the CLI's error output when it fails)."""
    started = time.perf_counter()
    result = subprocess.run([BI_DASH, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"bi-dash {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return elapsed
