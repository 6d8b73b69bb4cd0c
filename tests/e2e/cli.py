"""Run the real `bi-dash` command line in a subprocess, with a home and ports of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
BI_DASH = str(Path(sys.executable).parent / "bi-dash")
# variables the session's own fixtures exported; a CLI run derives its own from its settings
_INHERITED_PLATFORM_VARS = ("BI_DASH_", "DAGSTER_", "DBT_", "DATABASE_URL")


@dataclass
class Cli:
    home: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(
        default_factory=lambda: {
            name: free_port() for name in ("API_PORT", "API_ADMIN_PORT", "DAGSTER_PORT", "DOCS_PORT")
        }
    )

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_INHERITED_PLATFORM_VARS)}
        env["BI_DASH_HOME"] = str(self.home)
        env.update({f"BI_DASH_{name}": str(port) for name, port in self.ports.items()})
        env.update(self.extra_env)
        return env

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['API_PORT']}"

    def token(self, role: str, employee_id: str | None = None) -> dict[str, str]:
        """Authorization header with a token minted by `bi-dash token` (the home's own secret)."""
        args = ["token", "--role", role] + (["--employee-id", employee_id] if employee_id else [])
        result = self.run(*args)
        assert result.returncode == 0, result.stderr
        return {"Authorization": f"Bearer {result.stdout.strip()}"}

    def run_input(self, stdin: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run with ``stdin`` as the command's standard input (e.g. a password for --password-stdin)."""
        return subprocess.run(
            [BI_DASH, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            input=stdin,
            text=True,
            timeout=timeout,
            check=False,
        )

    def run(self, *args: str, timeout: float = 1500, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [BI_DASH, *args],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            stdin=subprocess.DEVNULL,  # a command that asks for confirmation gets no answer
            text=True,
            timeout=timeout,
            check=False,
        )
