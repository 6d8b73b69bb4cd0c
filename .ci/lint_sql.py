#!/usr/bin/env python3
"""sqlfluff over the dbt models and data tests, with dbt's own templater (make lint).

dbt's templater compiles the project, which opens a connection: a throwaway embedded PostgreSQL under
.bi-dash/lint-sql serves it (nothing is created in it). Arguments go to sqlfluff (`fix` to rewrite).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orchestration.runtime.database import start_database, stop_database
from orchestration.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    settings = get_settings(home=ROOT / ".bi-dash" / "lint-sql")
    settings.ensure_dirs()
    admin = start_database(settings)
    try:
        env = {
            **os.environ,
            "BI_DASH_DBT_HOST": admin.host,
            "BI_DASH_DBT_PORT": str(admin.port),
            "BI_DASH_DBT_USER": admin.user,
            "BI_DASH_DBT_DBNAME": settings.database_name,
        }
        command = argv or ["lint"]
        sqlfluff = Path(sys.executable).with_name("sqlfluff")
        return subprocess.run(
            [str(sqlfluff), *command, "models", "tests"], cwd=ROOT / "dbt_project", env=env, check=False
        ).returncode
    finally:
        stop_database(settings)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
