"""The docs site under ``$BI_DASH_HOME/docs``: its landing page (data freshness, links), the dbt docs
of the published build, and the API reference (Swagger UI over the OpenAPI document)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from orchestration import logs
from orchestration.change_detection import project_digest
from orchestration.quality.data_docs_offline import VENDOR
from orchestration.settings import Settings

logger = logs.get_logger("docs")

LANDING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bi-dash docs</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5}}</style>
</head><body>
<h1>bi-dash</h1>
<ul>
<li><a href="customer-360/">customer_360 dashboard</a>: sales, segments and customer profiles (analysts)</li>
<li><a href="ponto/">controle_ponto dashboard</a>: timesheets, the team's month, HR's anomalies and
month close</li>
<li><a href="dbt/index.html">dbt docs</a>: models, columns and lineage from raw to the api schema</li>
<li><a href="gx/index.html">Great Expectations Data Docs</a>: the expectation suites and every validation</li>
<li><a href="api/index.html">API reference</a>: every resource, its columns and filters, as your role
sees them (the OpenAPI document itself is at <a href="{api}/">{api}/</a>)</li>
<li><a href="{dagster}/">Dagster</a>: assets, runs, schedules</li>
</ul>
<h2>Data</h2>
<p id="freshness">Reading <code>/data_status</code> from the API…</p>
<table id="resources" hidden><thead><tr><th>resource</th><th>published</th><th>last refresh</th>
<th>failing checks</th></tr></thead><tbody></tbody></table>
<script>
// the freshness of each resource and the last refresh, as anonymous readers of the API see them
fetch("{api}/data_status?order=domain,resource").then(r => r.json()).then(rows => {{
  const latest = rows.map(r => r.last_published_at).sort().pop();
  document.getElementById("freshness").textContent =
    "Published " + (latest || "never") + "; last refresh " + (rows[0] ? rows[0].last_attempt_at : "never");
  const body = document.querySelector("#resources tbody");
  for (const r of rows) {{
    const tr = body.insertRow();
    for (const v of [r.resource, r.last_published_at, r.last_attempt_outcome, r.failing_checks.join(", ")])
      tr.insertCell().textContent = v;
  }}
  document.getElementById("resources").hidden = false;
}}).catch(() => {{
  document.getElementById("freshness").textContent = "The API does not answer: `bi-dash status`.";
}});
</script>
</body></html>
"""


def publish_docs(
    settings: Settings, generate: Callable[[Path], object], force: bool = False
) -> tuple[Path, bool]:
    """dbt docs of the published build (catalog of the live database) copied under home/docs/dbt.

    ``generate(target)`` runs ``dbt docs generate`` into ``target`` (the refresh passes its dbt
    resource). The docs describe the project, not the rows: they are generated again only when the
    project changed since they were (its digest is kept beside them). Returns (site, generated)."""

    site = settings.docs_dir / "dbt"
    stamp = site / ".project_digest"
    digest = project_digest(settings.dbt_project_dir)
    names = ("index.html", "manifest.json", "catalog.json")
    current = stamp.exists() and stamp.read_text() == digest and all((site / n).exists() for n in names)
    if current and not force:
        return site, False
    # a target folder of its own: docs generate compiles every model and rewrites the manifest (with the
    # macros each model called when compiled), which must not replace the one the refresh reads
    target = settings.dbt_target_dir / "docs"
    generate(target)
    site.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(target / name, site / name)
    stamp.write_text(digest)
    return site, True


def write_landing_page(settings: Settings, api_url: str, dagster_url: str) -> Path:
    """The docs site's front page: dbt docs, GX Data Docs, the API reference and Dagster."""
    settings.docs_dir.mkdir(parents=True, exist_ok=True)
    page = settings.docs_dir / "index.html"
    page.write_text(LANDING_PAGE.format(api=api_url, dagster=dagster_url))
    write_api_reference(settings, api_url)
    return page


API_REFERENCE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bi-dash API reference</title>
<link rel="stylesheet" href="swagger-ui.css">
<style>body{{margin:0}} form{{font-family:system-ui,sans-serif;padding:.75rem 1rem;background:#f4f4f4}}
input{{width:32rem}}</style></head><body>
<form id="as-role"><label for="token">See the API as a role: paste a token
(<code>bi-dash token --role analyst</code>) </label><input id="token" autocomplete="off">
<button>Show</button> <span id="who">as anon (no token)</span></form>
<div id="reference"></div>
<script src="swagger-ui-bundle.js"></script>
<script>
// The document follows the role's privileges (PostgREST openapi-mode follow-privileges): each role sees
// the resources and columns it may read. The token stays in this page's memory only.
function show(token) {{
  SwaggerUIBundle({{
    url: "{api}/", dom_id: "#reference", deepLinking: true,
    requestInterceptor: (request) => {{
      if (token) request.headers.Authorization = "Bearer " + token;
      return request;
    }},
  }});
}}
document.getElementById("as-role").addEventListener("submit", (event) => {{
  event.preventDefault();
  const token = document.getElementById("token").value.trim();
  let role = "anon (no token)";
  try {{
    role = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).role;
  }} catch (e) {{}}
  document.getElementById("who").textContent = "as " + role;
  show(token);
}});
show("");
</script>
</body></html>
"""


def write_api_reference(settings: Settings, api_url: str) -> Path | None:
    """Swagger UI (npm swagger-ui-dist, installed by `make bootstrap`) over the API's OpenAPI document,
    under docs/api/; None when the package is missing."""

    package = VENDOR / "swagger-ui-dist"
    if not package.is_dir():
        logger.warning(f"no API reference page: {package} is missing (run `make bootstrap`)")
        return None
    folder = settings.docs_dir / "api"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        shutil.copyfile(package / name, folder / name)
    page = folder / "index.html"
    page.write_text(API_REFERENCE.format(api=api_url))
    return page
