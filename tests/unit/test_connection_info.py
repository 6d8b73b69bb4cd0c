from orchestration.runtime.database import ConnectionInfo


def test_socket_url_keeps_the_socket_directory_as_host_parameter() -> None:
    info = ConnectionInfo(
        host="/tmp/x y/pg", port=5432, dbname="bi_dash", user="authenticator", password="p@ss"
    )
    # %20, not +: libpq does not read + as a space
    assert info.url() == "postgresql://authenticator:p%40ss@/bi_dash?host=%2Ftmp%2Fx%20y%2Fpg&port=5432"
    assert ConnectionInfo.from_url(info.url()) == info
    assert info.is_socket


def test_tcp_url_and_round_trip() -> None:
    info = ConnectionInfo.from_url("postgresql://postgres:secret@127.0.0.1:5433/shop")
    assert (info.host, info.port, info.dbname, info.user, info.password) == (
        "127.0.0.1",
        5433,
        "shop",
        "postgres",
        "secret",
    )
    assert ConnectionInfo.from_url(info.url()) == info
    assert info.url("postgresql+psycopg").startswith("postgresql+psycopg://postgres:secret@127.0.0.1:5433/")


def test_role_switch_keeps_location() -> None:
    info = ConnectionInfo.from_url("postgresql://postgres@db.example:5432/bi")
    other = info.as_user("transformer", "pw")
    assert (other.host, other.dbname, other.user, other.password) == ("db.example", "bi", "transformer", "pw")


def test_the_url_keeps_its_other_parameters_for_every_role() -> None:
    url = "postgresql://admin:pw@db.example:6543/bi?sslmode=verify-full&options=-c%20search_path%3Dx"
    info = ConnectionInfo.from_url(url)
    assert dict(info.params) == {"sslmode": "verify-full", "options": "-c search_path=x"}
    transformer = info.as_user("transformer", "t")
    assert ConnectionInfo.from_url(transformer.url()).params == info.params
    assert "sslmode=verify-full" in transformer.url("postgresql+psycopg")
