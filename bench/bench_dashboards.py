"""The dashboards' cost to their users: each app's JS and CSS as the browser downloads them (gzip),
and the time from pressing "Entrar" to the customers page showing data, in Debian's chromium against a
real `bi-dash up` with the demo data (median of --repeat sign-ins, each in a fresh browser context).

    .venv/bin/python -m bench.bench_dashboards [--repeat 5] [--keep]
"""

from __future__ import annotations

import argparse
import gzip
import json
import socket
import statistics
import time

from bench._cli import ROOT, fresh_home, run, tear_down

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def bundle_sizes() -> dict[str, dict[str, int]]:
    sizes: dict[str, dict[str, int]] = {}
    for app in sorted((ROOT / "frontends" / "dist").iterdir()):
        if not app.is_dir():
            continue
        assets = list((app / "assets").glob("*"))
        js = [p.read_bytes() for p in assets if p.suffix == ".js"]
        css = [p.read_bytes() for p in assets if p.suffix == ".css"]
        sizes[app.name] = {
            "js_gzip_bytes": sum(len(gzip.compress(content, 9)) for content in js),
            "css_gzip_bytes": sum(len(gzip.compress(content, 9)) for content in css),
            "js_bytes": sum(len(content) for content in js),
        }
    return sizes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sign_in_to_data(site: str, username: str, password: str, repeat: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    seconds = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(repeat):
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{site}/customer-360/customers")
            page.get_by_label("Usuário").fill(username)
            page.get_by_label("Senha").fill(password)
            started = time.perf_counter()
            page.get_by_role("button", name="Entrar").click()
            page.wait_for_selector("[data-testid=customers] tbody tr", timeout=60_000)
            seconds.append(time.perf_counter() - started)
            context.close()
        browser.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the bench home")
    args = parser.parse_args()
    home, env = fresh_home("bi-dash-bench-dash-")
    ports = {name: free_port() for name in ("API_PORT", "API_ADMIN_PORT", "DAGSTER_PORT", "DOCS_PORT")}
    env.update({f"BI_DASH_{name}": str(port) for name, port in ports.items()})
    try:
        up_seconds = run(env, "up", "--detach")
        users = {
            line.split("\t")[0]: line.split("\t")[1]
            for line in (home / "demo-users.txt").read_text().splitlines()
            if line
        }
        site = f"http://127.0.0.1:{ports['DOCS_PORT']}"
        timings = sign_in_to_data(site, "analista", users["analista"], args.repeat)
        print(
            json.dumps(
                {
                    "bundles": bundle_sizes(),
                    "first_up_seconds": round(up_seconds, 1),
                    "sign_in_to_customers_seconds": {
                        "median": round(statistics.median(timings), 3),
                        "min": round(min(timings), 3),
                        "max": round(max(timings), 3),
                        "runs": len(timings),
                    },
                },
                indent=2,
            )
        )
    finally:
        tear_down(env, home, args.keep)


if __name__ == "__main__":
    main()
