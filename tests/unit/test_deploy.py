"""The deployment files, checked here with the validators that run offline (Docker does not run on
these machines): hadolint on every Dockerfile, dclint (Compose specification) on the compose file,
kubernetes-validate (Kubernetes schemas, strict) on every manifest; each validator is also shown a
broken file once, so a validator that checks nothing fails the suite. And the PostgREST settings of
compose and Kubernetes are the ones `bi-dash serve api` generates."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from orchestration.runtime.services import postgrest_config
from orchestration.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
DCLINT = DEPLOY / "tools" / "node_modules" / ".bin" / "dclint"
MANIFESTS = sorted(path for path in (DEPLOY / "k8s").glob("*.yaml") if path.name != "dagster-values.yaml")


def _run(*command: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _tool(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path.name} is missing: `make bootstrap` installs the deployment validators")
    return path


def test_every_dockerfile_is_hadolint_clean(tmp_path: Path) -> None:
    hadolint = _tool(BIN / "hadolint")
    dockerfiles = sorted(DEPLOY.glob("*Dockerfile"))
    assert dockerfiles
    for dockerfile in dockerfiles:
        checked = _run(hadolint, dockerfile)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    broken = tmp_path / "Dockerfile"
    broken.write_text("FROM python:latest\nRUN apt-get install curl\n")
    assert _run(hadolint, broken).returncode != 0


def test_the_compose_file_follows_the_compose_specification(tmp_path: Path) -> None:
    dclint = _tool(DCLINT)
    tools = DEPLOY / "tools"  # its package.json holds dclint's configuration
    checked = _run(dclint, DEPLOY / "compose.yaml", cwd=tools)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    broken = tmp_path / "compose.yaml"
    broken.write_text((DEPLOY / "compose.yaml").read_text().replace("    depends_on:", "    dependz_on:", 1))
    refused = _run(dclint, broken, cwd=tools)
    assert refused.returncode != 0 and "invalid-schema" in refused.stdout + refused.stderr


def test_every_kubernetes_manifest_is_valid_against_the_schemas(tmp_path: Path) -> None:
    validate = _tool(BIN / "kubernetes-validate")
    assert len(MANIFESTS) >= 5
    checked = _run(validate, "--strict", *MANIFESTS)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    kinds = {doc["kind"] for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc}
    assert {"Job", "Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"} <= kinds
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        (DEPLOY / "k8s" / "postgrest.yaml").read_text().replace("replicas: 2", "replicas: two", 1)
    )
    assert _run(validate, "--strict", broken).returncode != 0


# deployment-specific: where it listens and the addresses users reach
DEPLOYMENT_SPECIFIC = {
    "server-host",
    "server-port",
    "openapi-server-proxy-uri",
    "server-cors-allowed-origins",
}


def _expected_postgrest_env() -> dict[str, str]:
    config = postgrest_config(Settings(api_port=3000, api_admin_port=3002), "interactive", listen="tcp")
    expected = {}
    for line in config.splitlines():
        key, _, value = line.partition(" = ")
        if key not in DEPLOYMENT_SPECIFIC:
            expected["PGRST_" + key.replace(".", "_").replace("-", "_").upper()] = value.strip('"')
    return expected


def test_compose_and_kubernetes_run_postgrest_with_the_settings_bi_dash_generates() -> None:
    expected = _expected_postgrest_env()
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]["postgrest"]["environment"]
    deployment = next(
        doc
        for doc in yaml.safe_load_all((DEPLOY / "k8s" / "postgrest.yaml").read_text())
        if doc["kind"] == "Deployment"
    )
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    kubernetes = {item["name"]: item["value"] for item in container["env"]}
    for name, environment in (("compose", compose), ("kubernetes", kubernetes)):
        secrets = {key for key in environment if key in ("PGRST_DB_URI", "PGRST_JWT_SECRET")}
        assert secrets == {"PGRST_DB_URI", "PGRST_JWT_SECRET"}, name
        assert all(str(environment[key]).startswith("@/run/secrets/") for key in secrets), name  # files
        shared = {key: str(value) for key, value in environment.items() if key in expected}
        assert shared == expected, name
    assert compose["PGRST_SERVER_PORT"] == "3000" and compose["PGRST_ADMIN_SERVER_PORT"] == "3002"


def test_the_dagster_chart_values_load_the_definitions_and_run_one_refresh_at_a_time() -> None:
    values = yaml.safe_load((DEPLOY / "k8s" / "dagster-values.yaml").read_text())
    instance = yaml.safe_load((ROOT / "dagster.yaml").read_text())
    deployment = values["dagster-user-deployments"]["deployments"][0]
    assert deployment["dagsterApiGrpcArgs"] == ["--module-name", "orchestration.definitions"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    coordinator = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    assert coordinator["maxConcurrentRuns"] == instance["concurrency"]["runs"]["max_concurrent_runs"]
    assert values["dagsterDaemon"]["runRetries"]["maxRetries"] == instance["run_retries"]["max_retries"]


def test_secrets_come_from_files_that_only_their_owner_and_group_read(tmp_path: Path) -> None:
    from orchestration.errors import PlatformError
    from orchestration.settings import secrets_from_files

    secret = tmp_path / "jwt_secret"
    secret.write_text("x" * 40 + "\n")
    secret.chmod(0o600)
    assert secrets_from_files({"BI_DASH_JWT_SECRET_FILE": str(secret)}) == {"BI_DASH_JWT_SECRET": "x" * 40}
    secret.chmod(0o440)  # a Kubernetes secret volume with defaultMode 0440
    assert secrets_from_files({"BI_DASH_JWT_SECRET_FILE": str(secret)}) == {"BI_DASH_JWT_SECRET": "x" * 40}
    secret.chmod(0o644)
    with pytest.raises(PlatformError, match="open to other users"):
        secrets_from_files({"BI_DASH_JWT_SECRET_FILE": str(secret)})
    secret.chmod(0o600)
    with pytest.raises(PlatformError, match="both BI_DASH_JWT_SECRET and BI_DASH_JWT_SECRET_FILE"):
        secrets_from_files({"BI_DASH_JWT_SECRET_FILE": str(secret), "BI_DASH_JWT_SECRET": "other" * 8})
    with pytest.raises(PlatformError, match="No such file"):
        secrets_from_files({"DATABASE_URL_FILE": str(tmp_path / "missing")})


def test_secrets_read_from_files_reach_the_settings_and_never_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.runtime.database import ConnectionInfo
    from orchestration.runtime.environment import platform_env
    from orchestration.settings import SECRET_VARIABLES, get_settings

    values = {
        "DATABASE_URL": "postgresql://admin:s3cret@db.internal:5432/bi_dash",
        "BI_DASH_JWT_SECRET": "j" * 40,
        "BI_DASH_AUTHENTICATOR_PASSWORD": "a-password",
        "BI_DASH_TRANSFORMER_PASSWORD": "t-password",
    }
    assert set(values) == set(SECRET_VARIABLES)
    for name, value in values.items():
        monkeypatch.delenv(name, raising=False)
        secret = tmp_path / name.lower()
        secret.write_text(value + "\n")
        secret.chmod(0o600)
        monkeypatch.setenv(f"{name}_FILE", str(secret))
    settings = get_settings(home=tmp_path / "home")
    assert (
        settings.database_url,
        settings.jwt_secret,
        settings.authenticator_password,
        settings.transformer_password,
    ) == tuple(values.values())
    assert not [name for name in values if name in os.environ]
    # what dbt and Dagster get names where things are, and carries no secret read from a file
    settings.ensure_dirs()
    env = platform_env(settings, ConnectionInfo.from_url(values["DATABASE_URL"]))
    leaked = [name for name, value in env.items() for secret in values.values() if secret in value]
    assert leaked == ["BI_DASH_DAGSTER_PG_URL"]  # Dagster's instance storage: its config reads the env


def test_a_failed_dbt_command_is_one_line_with_dbt_s_error() -> None:
    from orchestration.defs.platform.dbt import first_dbt_error

    error = (
        "The dbt CLI process with command\n\n`dbt parse`\n\nfailed with exit code `2`.\n\n"
        "Errors parsed from dbt logs:\n\nEncountered an error:\nCompilation Error\n"
        "  Model 'model.bi_dash.customers' depends on a node named 'x' which was not found"
    )
    assert first_dbt_error(error) == (
        "Compilation Error: Model 'model.bi_dash.customers' depends on a node named 'x' which was not found"
    )
    assert first_dbt_error("failed with exit code `2`.") == "see the log"
