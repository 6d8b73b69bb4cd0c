from pathlib import Path

from orchestration.runtime.services import postgrest_config
from orchestration.settings import Settings


def test_postgrest_config_exposes_only_api_as_anon_with_row_cap(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, api_port=4000, api_admin_port=4001, db_max_rows=250)
    config = dict(line.split(" = ", 1) for line in postgrest_config(settings).splitlines())
    assert config["db-schemas"] == '"api"'
    assert config["db-anon-role"] == '"anon"'
    assert config["db-max-rows"] == "250"
    assert config["server-port"] == "4000"
    assert config["admin-server-port"] == "4001"
    assert config["db-channel-enabled"] == "true"


def test_postgrest_config_holds_no_secret(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    text = postgrest_config(settings)
    assert "db-uri" not in text
    assert settings.secrets["authenticator"] not in text
