from pathlib import Path

from orchestration.runtime.services import postgrest_config
from orchestration.settings import Settings


def test_postgrest_config_exposes_only_api_as_anon_with_row_cap(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, api_port=4000, api_admin_port=4001, db_max_rows=250)
    config = dict(line.split(" = ", 1) for line in postgrest_config(settings).splitlines())
    assert config["db-schemas"] == '"api"'
    assert config["db-anon-role"] == '"anon"'
    assert config["db-max-rows"] == "250"
    assert config["admin-server-port"] == "4001"
    assert config["db-channel-enabled"] == "true"
    # only the proxy reaches PostgREST: a socket in the home, no TCP port of its own
    assert "server-port" not in config
    assert config["server-unix-socket"] == f'"{tmp_path / "run" / "postgrest-interactive.sock"}"'
    assert config["openapi-server-proxy-uri"] == '"http://127.0.0.1:4000"'


def test_each_pool_has_its_own_connections_and_socket(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    interactive = dict(
        line.split(" = ", 1) for line in postgrest_config(settings, "interactive").splitlines()
    )
    analytics = dict(line.split(" = ", 1) for line in postgrest_config(settings, "analytics").splitlines())
    assert interactive["server-unix-socket"] != analytics["server-unix-socket"]
    assert (interactive["db-pool"], analytics["db-pool"]) == ("10", "5")
    assert "admin-server-port" not in analytics


def test_postgrest_config_holds_no_secret(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    for pool in ("interactive", "analytics"):
        text = postgrest_config(settings, pool)
        assert "db-uri" not in text and "jwt-secret" not in text
        for name, secret in settings.secrets.items():  # the JWT secret and both passwords
            assert secret not in text, name
