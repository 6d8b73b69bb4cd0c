from pathlib import Path

from orchestration.runtime.api_proxy import socket_path
from orchestration.runtime.database import ConnectionInfo
from orchestration.runtime.services import postgrest_config, postgrest_service
from orchestration.settings import Settings


def test_postgrest_config_exposes_only_api_as_anon_with_row_cap(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, api_port=4000, api_admin_port=4001, db_max_rows=250)
    config = dict(line.split(" = ", 1) for line in postgrest_config(settings).splitlines())
    assert config["db-schemas"] == '"api"'
    assert config["db-anon-role"] == '"anon"'
    assert config["db-max-rows"] == "250"
    assert config["admin-server-port"] == "4001"
    assert config["db-channel-enabled"] == "true"
    # only the proxy reaches PostgREST: a private socket, no TCP port of its own
    assert "server-port" not in config
    assert config["server-unix-socket"] == f'"{socket_path(settings, "interactive")}"'
    assert config["openapi-server-proxy-uri"] == '"http://127.0.0.1:4000"'


def test_each_pool_has_its_own_connections_and_socket(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    interactive = dict(
        line.split(" = ", 1) for line in postgrest_config(settings, "interactive").splitlines()
    )
    analytics = dict(line.split(" = ", 1) for line in postgrest_config(settings, "analytics").splitlines())
    assert interactive["server-unix-socket"] != analytics["server-unix-socket"]
    assert (interactive["db-pool"], analytics["db-pool"]) == ("10", "10")
    assert "admin-server-port" not in analytics


def test_postgrest_config_holds_no_secret(tmp_path: Path) -> None:
    """What PostgREST reads from disk (the file the service writes, not only the text that feeds it)
    names no secret: the database URL and the JWT secret reach PostgREST through its environment."""
    settings = Settings(home=tmp_path)
    admin = ConnectionInfo(host=str(tmp_path / "pg"), port=5432, dbname="bi_dash", user="postgres")
    for pool in ("interactive", "analytics"):
        service = postgrest_service(settings, admin, pool)
        written = (tmp_path / f"postgrest-{pool}.conf").read_text()
        assert written == postgrest_config(settings, pool)
        assert "db-uri" not in written and "jwt-secret" not in written
        for name, secret in settings.secrets.items():  # the JWT secret and both passwords
            assert secret not in written, name
            assert all(secret not in part for part in service.command), name
        assert service.env["PGRST_JWT_SECRET"] == settings.secrets["jwt"]
        assert settings.secrets["authenticator"] in service.env["PGRST_DB_URI"]


def test_a_home_too_deep_for_a_socket_address_gets_a_private_short_socket_folder(tmp_path: Path) -> None:
    """Found by the suite: under a deep home HAProxy refused the socket path (longer than 97 bytes)."""
    import os

    from orchestration.runtime.api_proxy import SOCKET_PATH_MAX

    deep = Settings(home=tmp_path / ("d" * 80) / "home")
    interactive, analytics = socket_path(deep, "interactive"), socket_path(deep, "analytics")
    assert len(str(interactive)) <= SOCKET_PATH_MAX and len(str(analytics)) <= SOCKET_PATH_MAX
    assert interactive.parent == analytics.parent != deep.run_dir
    assert interactive.parent.stat().st_mode & 0o777 == 0o700
    assert interactive.parent.parent.stat().st_uid == os.getuid()
    assert (
        socket_path(Settings(home=tmp_path / ("e" * 80) / "home"), "interactive").parent != interactive.parent
    )
    import tempfile

    with tempfile.TemporaryDirectory(dir="/tmp") as short:  # a home of ordinary depth: its own run folder
        home = Path(short) / "home"
        assert socket_path(Settings(home=home), "interactive") == home / "run" / "postgrest-interactive.sock"


def test_the_generated_haproxy_config_is_valid_for_haproxy_itself(tmp_path: Path) -> None:
    import subprocess

    from orchestration.runtime.api_proxy import find_haproxy, haproxy_config

    settings = Settings(home=tmp_path)
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config(settings))
    checked = subprocess.run(
        [str(find_haproxy(settings)), "-c", "-f", str(config)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert config.read_text().count("http-request deny deny_status") == 8
