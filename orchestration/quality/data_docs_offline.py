"""GX Data Docs without a network: the pages GX renders load jQuery, Bootstrap, bootstrap-table, Font
Awesome and Vega from CDNs and a logo from S3 (with the data context's id in its query string). Each such
address is replaced by a copy under ``static/vendor/`` of the site, taken from the npm packages that
``make bootstrap`` installs from ``vendor/data-docs/package-lock.json``; the logo by GX's own copy."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from orchestration.settings import PROJECT_ROOT

VENDOR = PROJECT_ROOT / ".bi-dash" / "docs-assets" / "node_modules"
SITE_FOLDER = "static/vendor"

# CDN address (a regular expression: versions and query strings vary) -> file of an npm package
ASSETS: dict[str, str] = {
    r"https://code\.jquery\.com/jquery-3\.[0-9.]+\.min\.js": "jquery/dist/jquery.min.js",
    r"https://cdnjs\.cloudflare\.com/ajax/libs/popper\.js/[0-9.]+/umd/popper\.min\.js": (
        "popper.js/dist/umd/popper.min.js"
    ),
    r"https://maxcdn\.bootstrapcdn\.com/bootstrap/4\.[0-9.]+/css/bootstrap\.min\.css": (
        "bootstrap/dist/css/bootstrap.min.css"
    ),
    r"https://stackpath\.bootstrapcdn\.com/bootstrap/4\.[0-9.]+/js/bootstrap\.min\.js": (
        "bootstrap/dist/js/bootstrap.min.js"
    ),
    r"https://unpkg\.com/bootstrap-table@[0-9.]+/dist/bootstrap-table\.min\.css": (
        "bootstrap-table/dist/bootstrap-table.min.css"
    ),
    r"https://unpkg\.com/bootstrap-table@[0-9.]+/dist/bootstrap-table\.min\.js": (
        "bootstrap-table/dist/bootstrap-table.min.js"
    ),
    r"https://unpkg\.com/bootstrap-table@[0-9.]+/dist/extensions/filter-control/"
    r"bootstrap-table-filter-control(?:\.min)?\.css": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.css"
    ),
    r"https://unpkg\.com/bootstrap-table@[0-9.]+/dist/extensions/filter-control/"
    r"bootstrap-table-filter-control\.min\.js": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js"
    ),
    r"https://cdnjs\.cloudflare\.com/ajax/libs/bootstrap-datepicker/[0-9.]+/css/"
    r"bootstrap-datepicker\.min\.css": ("bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css"),
    r"https://cdnjs\.cloudflare\.com/ajax/libs/bootstrap-datepicker/[0-9.]+/js/"
    r"bootstrap-datepicker\.min\.js": ("bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js"),
    r"https://cdnjs\.cloudflare\.com/ajax/libs/font-awesome/[0-9.]+/css/all\.min\.css": (
        "@fortawesome/fontawesome-free/css/all.min.css"
    ),
    r"https://cdn\.jsdelivr\.net/npm/@forevolve/bootstrap-dark@[0-9.]+/dist/css/"
    r"bootstrap-prefers-dark\.css": ("@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.css"),
    r"https://cdn\.jsdelivr\.net/npm/vega@5": "vega/build/vega.min.js",
    r"https://cdn\.jsdelivr\.net/npm/vega-lite@5": "vega-lite/build/vega-lite.min.js",
    r"https://cdn\.jsdelivr\.net/npm/vega-embed@6": "vega-embed/build/vega-embed.min.js",
}
# folders a vendored stylesheet reads beside it (relative to the package file's folder)
COMPANIONS = {"@fortawesome/fontawesome-free/css/all.min.css": "../webfonts"}
# the S3 logos (one carries the data context id and a timestamp): GX ships a copy in its static folder
LOGO = re.compile(r"https://great-expectations-web-assets\.s3[^\"' )]*?\.png[^\"' )]*")
LOGO_COPY = "static/images/logo-long.png"
# what loads something at page load (src=, href= of a stylesheet, url( in styles): never remote
REMOTE_LOAD = re.compile(r"""(?:src=|<link[^>]*href=|url\()["']?https?://""", re.IGNORECASE)


def make_offline(site: Path, vendor: Path = VENDOR) -> int:
    """Copy the vendored files into ``site`` and point every page at them; returns the pages changed."""
    if not vendor.is_dir():
        raise FileNotFoundError(f"{vendor} is missing: run `make bootstrap` (Data Docs assets)")
    target = site / SITE_FOLDER
    for package_file in ASSETS.values():
        copy = target / package_file
        if not copy.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(vendor / package_file, copy)
        if package_file in COMPANIONS:
            folder = (vendor / package_file).parent / COMPANIONS[package_file]
            shutil.copytree(folder, (copy.parent / COMPANIONS[package_file]).resolve(), dirs_exist_ok=True)
    patterns = [(re.compile(pattern), package_file) for pattern, package_file in ASSETS.items()]
    changed = 0
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if "https://" not in text:
            continue
        up = "../" * (len(page.relative_to(site).parts) - 1)
        new = text
        for pattern, package_file in patterns:
            new = pattern.sub(f"{up}{SITE_FOLDER}/{package_file}", new)
        new = LOGO.sub(f"{up}{LOGO_COPY}", new)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def remote_loads(site: Path) -> list[str]:
    """What a page of the site would still fetch from the network (links to click are fine)."""
    found = []
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        found += [
            f"{page.relative_to(site)}: {text[m.start() : m.start() + 120]}"
            for m in REMOTE_LOAD.finditer(text)
        ]
    return found
