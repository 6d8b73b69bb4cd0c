"""The service layer called directly, as the CLI calls it (no terminal, no subprocess), and the CLI kept
to parsing and printing."""

import ast
import os
import socket
from pathlib import Path

import pytest

from orchestration.errors import PlatformError
from orchestration.service import accounts, lifecycle, progress
from orchestration.service import status as status_service
from orchestration.settings import get_settings
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
# what only the service layer (and below) may touch: the database, Dagster, the processes, the loaders
FORBIDDEN_IN_CLI = (
    "psycopg",
    "dagster",
    "orchestration.pipeline",
    "orchestration.publish",
    "orchestration.change_detection",
    "orchestration.ponto_outputs",
    "orchestration.runtime.migrate",
    "orchestration.runtime.processes",
    "orchestration.runtime.services",
    "orchestration.ingest.afd_loader",
    "orchestration.ingest.olist",
    "orchestration.ingest.ponto_csv",
)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_the_cli_reaches_the_platform_only_through_the_service_layer() -> None:
    imported = _imports(ROOT / "orchestration" / "cli.py")
    reaching = sorted(
        name
        for name in imported
        for forbidden in FORBIDDEN_IN_CLI
        if name == forbidden or name.startswith(forbidden + ".")
    )
    assert reaching == [], f"cli.py bypasses orchestration/service: {reaching}"
    assert {"orchestration.service.lifecycle", "orchestration.service.loads"} <= imported


def _settings(tmp_path: Path, **overrides: object):  # type: ignore[no-untyped-def]
    os.environ.pop("DATABASE_URL", None)
    return get_settings(home=tmp_path / "home", **overrides)


def test_a_token_is_never_signed_with_a_secret_made_up_on_the_spot(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with pytest.raises(PlatformError, match="no platform home at .*home.*BI_DASH_HOME"):
        accounts.token(settings, "analyst")
    assert not settings.home.exists()
    settings.home.mkdir()
    settings.secrets  # noqa: B018 - the platform's first start writes them
    assert accounts.token(settings, "analyst").count(".") == 2
    with pytest.raises(PlatformError, match="longer than the API accepts"):
        accounts.token(settings, "analyst", ttl="30d")


def test_a_busy_port_is_named_with_the_setting_that_changes_it(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # every other port free too: a platform running on the default ports must not answer first
        others = {
            name: free_port() for name in ("api_port", "api_admin_port", "docs_port", "code_location_port")
        }
        settings = _settings(tmp_path, dagster_port=port, **others)
        with pytest.raises(PlatformError, match=f"port {port} \\(the Dagster UI\\).*BI_DASH_DAGSTER_PORT"):
            lifecycle.check_ports_free(settings)
    lifecycle.check_ports_free(settings)  # free again


def test_reset_refuses_a_folder_that_is_not_a_home(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    settings.home.mkdir()
    (settings.home / "thesis.tex").write_text("years of work")
    with pytest.raises(PlatformError, match="does not look like a bi-dash home"):
        lifecycle.check_resettable(settings)
    (settings.home / "secrets.env").write_text("")
    lifecycle.check_resettable(settings)


def test_status_of_a_stopped_home_says_down_without_starting_anything(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    report = status_service.status_report(settings)
    assert set(report) == {"home", "healthy", "components", "data", "automations", "disk_bytes"}
    assert report["healthy"] is False and report["data"] is None and report["automations"] is None
    assert {item["state"] for item in report["components"]} == {"down"}
    assert report["components"][0]["name"] == "PostgreSQL"
    assert not (settings.home / "pg").exists()


def test_progress_goes_to_the_log_unless_a_reporter_is_installed(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []

    class Recording(progress.LogReporter):
        def note(self, text: str) -> None:
            seen.append(text)

    before = progress.reporter
    try:
        progress.use(Recording())
        progress.note("hello")
        with caplog.at_level("INFO"), progress.step("a step"):
            pass
    finally:
        progress.use(before)
    assert seen == ["hello"]
    assert any(record.getMessage() == "a step" for record in caplog.records)
