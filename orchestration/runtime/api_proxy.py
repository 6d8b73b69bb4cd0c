"""The layer in front of PostgREST: HAProxy, for what PostgREST cannot do itself.

Why HAProxy: a well-kept, long-term-supported proxy (Debian's 2.6 LTS, an official image for compose and
Kubernetes) that does every job below natively, in C, at a cost of microseconds per request (bench/
measures it beside a bare PostgREST): it reads the JWT's role claim to route, and it can look at an
error response's body to answer with the right status. nginx would need njs for the first and cannot
change a status after reading the body; a proxy of our own would be code to keep.

What it does (the limits are settings, `BI_DASH_API_*`):
- refuses bodies over ``api_max_body_bytes`` (413) and bodies of unknown length (411), query strings over
  ``api_max_query_bytes`` (414), invalid UTF-8 in the query string and non-ASCII Range headers (400), and
  ``select=`` deeper than ``api_max_select_depth`` or longer than ``api_max_select_bytes`` (400): the work
  those cost PostgREST happens before any statement timeout applies;
- sends analysts' requests to a PostgREST of their own (its own connection pool), so slow analytical
  queries never starve anonymous and interactive requests of connections;
- answers a statement timeout with 504 and a database that cannot be reached with 503, in JSON, and
  never lets an error body show a server path (PostgREST says 500 and quotes the socket).
Every refusal is a JSON body like PostgREST's own errors (code, message, details, hint).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

from orchestration.errors import PlatformError
from orchestration.runtime.processes import Service, is_healthy
from orchestration.settings import Settings

# every %XX above 7F must belong to a well-formed UTF-8 sequence (raw non-ASCII bytes HAProxy refuses)
_VALID_UTF8_QUERY = (
    "^([^%]|%[0-7][0-9A-Fa-f]|%[Cc][2-9A-Fa-f]%[89ABab][0-9A-Fa-f]|%[Dd][0-9A-Fa-f]%[89ABab][0-9A-Fa-f]"
    "|%[Ee][0-9A-Fa-f](%[89ABab][0-9A-Fa-f]){2}|%[Ff][0-4](%[89ABab][0-9A-Fa-f]){3})*$"
)


def find_haproxy(settings: Settings) -> Path:
    for candidate in (settings.haproxy_bin, shutil.which("haproxy"), "/usr/sbin/haproxy"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise PlatformError(
        "no haproxy binary (the layer in front of PostgREST): install it (Debian: apt-get install haproxy,"
        " or run `make bootstrap` as root) or set BI_DASH_HAPROXY_BIN"
    )


SOCKET_PATH_MAX = 90  # HAProxy takes unix socket paths up to 97 bytes, the kernel up to 107


def socket_path(settings: Settings, pool: str) -> Path:
    """The unix socket a PostgREST pool listens on (only the proxy talks to it): in the home's run
    folder, or, when the home's path is too long for a socket address, in a private folder of this
    user under the temporary directory, one per home."""
    name = f"postgrest-{pool}.sock"
    if len(str(settings.run_dir / "postgrest-interactive.sock")) <= SOCKET_PATH_MAX:
        return settings.run_dir / name
    user = Path(tempfile.gettempdir()) / f"bi-dash-{os.getuid()}"
    user.mkdir(mode=0o700, exist_ok=True)
    info = user.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PlatformError(f"{user} is not a private folder of this user: remove it, or use a shorter home")
    folder = user / hashlib.sha256(str(settings.home).encode()).hexdigest()[:16]
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / name


def _error(status: int, code: str, message: str, hint: str | None = None) -> str:
    """An HAProxy `return` answering in PostgREST's error shape."""
    return f"status {status} content-type application/json string '{_json(code, message, hint)}'"


# roles whose requests go to the analytics pool; every other role's go to the interactive one
ANALYTICS_ROLES = ("analyst",)


def haproxy_config(settings: Settings) -> str:
    interactive, analytics = socket_path(settings, "interactive"), socket_path(settings, "analytics")
    lines = [
        "global",
        "    maxconn 2000",
        "    tune.bufsize 32768",
        "    log stdout format raw local0 notice",
        "",
        "defaults",
        "    mode http",
        "    log global",
        "    option dontlog-normal",
        "    timeout connect 5s",
        "    timeout client 60s",
        "    timeout http-request 15s",
        # the longest statement timeout is 10 s (analyst, hr); PostgREST waits 10 s more for a connection
        "    timeout server 30s",
        "",
        "frontend api",
        f"    bind {settings.bind_host}:{settings.api_port}",
        *(
            f"    http-request deny deny_status {status} content-type application/json"
            f" string '{_json(code, message)}' if {condition}"
            for status, code, message, condition in _refusals(settings)
        ),
        "    http-request set-var(txn.role) http_auth_bearer,jwt_payload_query('$.role') "
        "if { http_auth_bearer -m found }",
        f"    use_backend analytics if {{ var(txn.role) -m str {' '.join(ANALYTICS_ROLES)} }}",
        "    default_backend interactive",
        "    http-response wait-for-body time 2s if { status ge 500 }",
        "    http-response return "
        + _error(
            504,
            "57014",
            "the query took longer than this role may run a statement (statement timeout)",
            "narrow it down: filter, select fewer columns, or ask for fewer rows",
        )
        + " if { status 500 } { res.body -m sub 57014 }",
        "    http-response return "
        + _error(503, "BD503", "the database is not available right now", "try again in a moment")
        + " if { status ge 500 } { res.body -m reg -i '(\\.s\\.PGSQL|/tmp/|/home/|socket|connection)' }",
        "",
        "backend interactive",
        f"    server postgrest unix@{interactive} maxconn 200",
        "",
        "backend analytics",
        f"    server postgrest-analytics unix@{analytics} maxconn 100",
        "",
    ]
    return "\n".join(lines)


def _refusals(settings: Settings) -> list[tuple[int, str, str, str]]:
    """What the proxy refuses before PostgREST reads it: (status, code, message, HAProxy condition)."""
    depth, select_bytes = settings.api_max_select_depth, settings.api_max_select_bytes
    return [
        (
            414,
            "BD414",
            f"query string longer than {settings.api_max_query_bytes} bytes",
            f"{{ query -m len gt {settings.api_max_query_bytes} }}",
        ),
        (
            413,
            "BD413",
            f"request body larger than {settings.api_max_body_bytes} bytes",
            f"{{ req.hdr_val(content-length) gt {settings.api_max_body_bytes} }}",
        ),
        (
            411,
            "BD411",
            "send the body with a Content-Length (chunked bodies are refused)",
            "{ req.hdr(transfer-encoding) -m found }",
        ),
        (
            400,
            "BD400",
            "the query string is not valid UTF-8 (percent-encoded bytes)",
            f"{{ query -m found }} !{{ query -m reg '{_VALID_UTF8_QUERY}' }}",
        ),
        (
            400,
            "BD400",
            "the query string holds control characters (percent-encoded bytes below 0x20)",
            "{ query -m reg '%[01][0-9A-Fa-f]|%7[Ff]' }",
        ),
        (400, "BD400", "the Range header must be ASCII", "{ req.hdr(range) -m reg '[^ -~]' }"),
        (
            400,
            "BD400",
            f"select= nests more than {depth} levels",
            f"{{ url_param(select),url_dec -m reg '(\\([^()]*){{{depth + 1}}}' }}",
        ),
        (
            400,
            "BD400",
            f"select= longer than {select_bytes} characters",
            f"{{ url_param(select),url_dec -m len gt {select_bytes} }}",
        ),
    ]


def _json(code: str, message: str, hint: str | None = None) -> str:
    """PostgREST's error body (code, message, details, hint), as an HAProxy single-quoted string."""
    body = json.dumps(
        {"code": code, "message": message, "details": None, "hint": hint}, separators=(",", ":")
    )
    assert "'" not in body, "HAProxy strings are single-quoted"
    return body


def api_proxy_service(settings: Settings) -> Service:
    config = settings.home / "haproxy.cfg"
    config.write_text(haproxy_config(settings))
    return Service(
        name="api-proxy",
        command=[str(find_haproxy(settings)), "-f", str(config), "-db"],
        health=lambda: is_healthy(f"http://{settings.bind_host}:{settings.api_port}/"),
    )
