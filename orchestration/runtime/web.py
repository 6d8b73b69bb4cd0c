"""The platform's web service: the docs site (dbt docs, GX Data Docs, the landing page) and the
documents PostgREST cannot render itself.

``GET /espelho/<employee_id>/<yyyy-mm>.pdf`` renders the Espelho de Ponto as PDF. It holds no rights of
its own: it asks the API for ``/rpc/espelho`` with the caller's own ``Authorization`` header, so the API
decides (row-level security) whether the caller may see that employee, exactly as for any other request;
the PDF is only drawn here (ReportLab, see orchestration/ponto_outputs.py).

The dashboards (frontends/, built by Vite into frontends/dist) are served under ``/customer-360/`` and
``/ponto/``: a path inside an app that is not a file gets the app's index.html (deep links such as
``/customer-360/customers/<id>``), and ``/app-config.json`` tells the apps where the API is. App pages
carry a Content-Security-Policy: scripts only from this site, requests only to this site and the API.

    python -m orchestration.runtime.web --directory DIR --bind 127.0.0.1 --port 8080 --api-url URL \
        [--apps-dir frontends/dist]
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from orchestration.ponto_outputs import espelho_pdf

# URL prefix → folder under --apps-dir (frontends/*/vite.config.ts: base and outDir)
APPS = {"/customer-360/": "customer-360", "/ponto/": "ponto"}
ESPELHO = re.compile(r"^/espelho/(?P<employee>[A-Za-z0-9_.\-]{1,64})/(?P<month>\d{4}-\d{2})\.pdf$")


class Handler(SimpleHTTPRequestHandler):
    api_url = ""  # where this service asks the API (server side)
    public_api_url = ""  # where browsers reach the API
    apps_dir: Path | None = None

    def log_message(self, format: str, *args: object) -> None:  # the stdlib's name
        # one line per request, without query strings (they may carry names or ids)
        self.server_log(f'{self.address_string()} "{self.command} {self.path.split("?")[0]}" {args[1:2]}')

    def server_log(self, line: str) -> None:
        print(line, flush=True)

    def do_GET(self) -> None:  # the stdlib's name
        path = self.path.split("?")[0]
        if path == "/healthz":
            self._json(HTTPStatus.OK, {"status": "ok"})
            return
        if path == "/app-config.json":
            self._json(HTTPStatus.OK, {"apiUrl": self.public_api_url})
            return
        for prefix, folder in APPS.items():
            if path.startswith(prefix) or path == prefix.rstrip("/"):
                self._app(folder, path[len(prefix) :])
                return
        found = ESPELHO.match(path)
        if found is None:
            super().do_GET()
            return
        self._espelho(found["employee"], found["month"])

    def _app(self, folder: str, inside: str) -> None:
        root = (self.apps_dir / folder).resolve() if self.apps_dir else None
        if root is None or not (root / "index.html").is_file():
            self._json(
                HTTPStatus.NOT_FOUND,
                {"message": f"the {folder} app is not built: run `make frontends`"},
            )
            return
        target = (root / inside).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            target = root / "index.html"  # a route of the app: the app decides what to show
        content = target.read_bytes()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(str(target)))
        self.send_header("Content-Length", str(len(content)))
        # hashed assets never change; the page itself is always asked for again
        immutable = target.parent.name == "assets"
        self.send_header("Cache-Control", "public, max-age=31536000, immutable" if immutable else "no-cache")
        self.send_header(
            "Content-Security-Policy",
            f"default-src 'self'; script-src 'self'; connect-src 'self' {self.public_api_url}; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; object-src 'none'; "
            "base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(content)

    def _espelho(self, employee_id: str, month: str) -> None:
        authorization = self.headers.get("Authorization", "")
        if not authorization.startswith("Bearer "):
            self._json(HTTPStatus.UNAUTHORIZED, {"message": "sign in: the Espelho needs your token"})
            return
        try:
            response = httpx.get(
                f"{self.api_url}/rpc/espelho",
                params={"employee_id": employee_id, "month": f"{month}-01"},
                headers={"Authorization": authorization, "Accept": "application/json"},
                timeout=30,
            )
        except httpx.HTTPError:
            self._json(HTTPStatus.BAD_GATEWAY, {"message": "the API did not answer"})
            return
        if response.status_code != HTTPStatus.OK:
            self._json(response.status_code, _error_body(response))
            return
        content = espelho_pdf(response.json())
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Disposition", f'inline; filename="espelho_{employee_id}_{month}.pdf"')
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Cache-Control", "private, no-store")
        self.end_headers()
        self.wfile.write(content)

    def _json(self, status: int, body: dict[str, object]) -> None:
        content = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


def _error_body(response: httpx.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {"message": response.text[:200]}
    return {"message": body.get("message", ""), "code": body.get("code")} if isinstance(body, dict) else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--directory", required=True)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--public-api-url", default=None, help="the API as browsers reach it")
    parser.add_argument("--apps-dir", type=Path, default=None, help="frontends/dist (the built dashboards)")
    args = parser.parse_args()
    handler = type(
        "BoundHandler",
        (Handler,),
        {
            "api_url": args.api_url.rstrip("/"),
            "public_api_url": (args.public_api_url or args.api_url).rstrip("/"),
            "apps_dir": args.apps_dir,
        },
    )
    server = ThreadingHTTPServer((args.bind, args.port), partial(handler, directory=args.directory))
    server.daemon_threads = True

    def stop(*_: object) -> None:  # SIGTERM (docker stop, systemd, Kubernetes): finish and exit 0
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
