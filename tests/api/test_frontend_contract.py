"""The dashboards cannot drift from the API: their types are generated from the live OpenAPI document,
and the dbt exposures list exactly the resources their code reads."""

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import Platform, token_for

pytestmark = pytest.mark.api

ROOT = Path(__file__).resolve().parents[2]
FRONTENDS = ROOT / "frontends"
# each app's code, and the shared code every app bundles
APPS = {
    "customer_360_dashboard": ("customer_360", "shared"),
    "controle_ponto_dashboard": ("controle_ponto", "shared"),
}


def test_the_committed_api_types_equal_the_live_api_as_every_role(platform: Platform) -> None:
    assert (FRONTENDS / "node_modules" / "openapi-typescript").exists(), "run `make bootstrap` first"
    env = {
        **os.environ,
        "BI_DASH_API_URL": platform.api_url,
        **{
            f"BI_DASH_TOKEN_{role.upper()}": token_for(platform.settings, role, "openapi", ttl="5m")
            for role in ("analyst", "hr", "manager", "employee")
        },
    }
    checked = subprocess.run(
        ["node", "scripts/gen-api-types.mjs", "--check"],
        cwd=FRONTENDS,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr + checked.stdout


def _queried(folders: tuple[str, ...]) -> set[str]:
    """Resources the code reads: every .from("<resource>") of the postgrest-js client."""
    found: set[str] = set()
    for folder in folders:
        for path in (FRONTENDS / folder / "src").rglob("*.ts*"):
            found |= set(re.findall(r'\.from\("([a-z_]+)"\)', path.read_text()))
    return found


def test_dbt_exposures_list_exactly_the_resources_each_app_reads() -> None:
    exposures = yaml.safe_load((ROOT / "dbt_project" / "models" / "api" / "_api__exposures.yml").read_text())
    declared = {
        exposure["name"]: {re.sub(r"^ref\('(.+)'\)$", r"\1", ref) for ref in exposure["depends_on"]}
        for exposure in exposures["exposures"]
    }
    assert set(APPS) <= set(declared)
    for exposure, folders in APPS.items():
        assert declared[exposure] == _queried(folders), exposure
