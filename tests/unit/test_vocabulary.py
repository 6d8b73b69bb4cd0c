"""Each vocabulary is written once, in api_contracts/vocabulary.py; these tests keep it so.

- dbt reads the lists as project vars: ``dbt_project.yml`` must hold the same values (and the same
  authorization as api_contracts/access.py);
- the web apps read ``frontends/shared/src/vocabulary.gen.json``: it must be the module's rendering
  (``UPDATE_SNAPSHOTS=1`` rewrites it after a deliberate change);
- no other source file spells out a vocabulary again as a list (three or more of its values in one
  list literal, in Python, SQL, YAML, TypeScript or JavaScript). Migrations are history and tests
  state their expectations, so both may.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from api_contracts import access, vocabulary

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (".py", ".sql", ".yml", ".yaml", ".ts", ".tsx", ".mjs", ".json")
WRITTEN_HERE = {
    "api_contracts/vocabulary.py",
    "dbt_project/dbt_project.yml",  # checked equal below
    "api_contracts/access.py",  # a profile names its roles
    "frontends/shared/src/vocabulary.gen.json",  # written by this test
}
# bench/results/: what a bench measured, with the SQL it ran (rendered from api_contracts/queries.py)
NOT_CHECKED = (
    "migrations/versions/",
    "tests/",
    "vendor/",
    "frontends/shared/src/api-types.gen.ts",
    "bench/results/",
)
VOCABULARIES = {
    name: set(values)
    for name, values in vars(vocabulary).items()
    if name.isupper() and isinstance(values, tuple) and len(values) >= 3
}
# a rule that produces a vocabulary's values names them where it produces them
PRODUCED_BY = {("dbt_project/models/intermediate/customer_360/int_customers_scored.sql", "SEGMENTS")}
# a grant names the roles it grants to: that is an authorization decision, not the list of roles
ROLE_VOCABULARIES = {"REQUEST_ROLES", "SESSION_ROLES"}
_GRANT = re.compile(r"grant|select:", re.IGNORECASE)
_LIST = re.compile(r"[\[(]([^\[\]()]*)[\])]")
_WORD = re.compile(r"[A-Za-z_]+")
_YAML_ITEM = re.compile(r"^\s*-\s+['\"]?([A-Za-z_]+)['\"]?\s*$")


@pytest.mark.parametrize("module", [vocabulary, access], ids=["vocabulary", "access"])
def test_dbt_vars_are_the_declarations(module: Any) -> None:
    project = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text(encoding="utf-8"))
    assert {name: project["vars"].get(name) for name in module.DBT_VARS} == module.DBT_VARS


def frontend_json() -> str:
    rendered = {"//": "api_contracts/vocabulary.py rendered; do not edit", **vocabulary.FRONTEND}
    return json.dumps(rendered, indent=2) + "\n"


def test_the_frontends_copy_is_the_vocabulary() -> None:
    target = ROOT / "frontends" / "shared" / "src" / "vocabulary.gen.json"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        target.write_text(frontend_json(), encoding="utf-8")
    assert target.read_text(encoding="utf-8") == frontend_json(), (
        f"rerun with UPDATE_SNAPSHOTS=1 and commit {target.relative_to(ROOT)}"
    )


def _lists(text: str) -> list[tuple[int, set[str], str]]:
    """(line, words, what precedes the list) of every bracketed list and YAML block list of the text."""
    found = [
        (
            text.count("\n", 0, match.start()) + 1,
            set(_WORD.findall(match.group(1))),
            text[max(0, match.start() - 40) : match.start()],
        )
        for match in _LIST.finditer(text)
    ]
    lines = text.splitlines()
    block: set[str] = set()
    start = 0
    for number, line in enumerate([*lines, ""], start=1):
        item = _YAML_ITEM.match(line)
        if item:
            start = start or number
            block.add(item.group(1))
        elif block:
            found.append((start, block, lines[start - 2] if start > 1 else ""))
            block, start = set(), 0
    return found


def repeated_vocabularies(path: str, text: str) -> list[str]:
    return [
        f"{path}:{line}: {name} written again ({', '.join(sorted(words & values))})"
        for line, words, before in _lists(text)
        for name, values in VOCABULARIES.items()
        if len(words & values) >= 3
        and (path, name) not in PRODUCED_BY
        and not (name in ROLE_VOCABULARIES and _GRANT.search(before))
    ]


def test_no_vocabulary_is_written_twice() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    findings = [
        finding
        for path in tracked
        if path.endswith(SOURCES)
        and path not in WRITTEN_HERE
        and not path.startswith(NOT_CHECKED)
        and (ROOT / path).is_file()
        for finding in repeated_vocabularies(path, (ROOT / path).read_text(encoding="utf-8"))
    ]
    assert findings == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('SEGMENTS = ("champions", "loyal", "new", "at_risk")', True),
        ("values: [delivered, shipped, canceled, unavailable]", True),
        ("  values:\n  - kept\n  - duplicate\n  - included\n", True),
        ('const KINDS = ["incomplete_day", "needs_review", "crc_mismatch", "bad_crc"];', True),
        ("values: \"{{ var('segments') }}\"", False),
        ("(kept, duplicate)", False),  # two values are not a list of the vocabulary
        ('typer.Option(help="anon, analyst, hr, manager or employee.")', True),
        ("    grants:\n      select:\n      - hr\n      - manager\n      - employee\n", False),
        ("{{ grant_columns(['analyst', 'manager', 'employee'], ['name']) }}", False),
    ],
)
def test_the_scanner_sees_a_written_list(text: str, found: bool) -> None:
    assert bool(repeated_vocabularies("x", text)) is found
