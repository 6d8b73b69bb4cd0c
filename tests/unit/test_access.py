"""The authorization declaration (api_contracts/access.py) covers every api resource, and the README
says who reads each one as the declaration renders it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api_contracts import access
from api_contracts.models import RESOURCES as CONTRACTS
from api_contracts.vocabulary import REQUEST_ROLES

README = Path(__file__).resolve().parents[2] / "README.md"


def _identifiers(resource: str) -> bool:
    model, _key = CONTRACTS[resource]
    return bool(set(access.IDENTIFIERS) & set(model.model_fields))


def test_every_api_resource_declares_its_access() -> None:
    assert set(access.RESOURCES) == set(CONTRACTS)
    for resource, declared in access.RESOURCES.items():
        assert declared.profile in access.PROFILES, resource
    for rules in access.PROFILES.values():
        assert set(rules) <= set(REQUEST_ROLES)


def test_a_marts_table_is_read_under_one_profile() -> None:
    profiles: dict[str, set[str]] = {}
    for declared in access.RESOURCES.values():
        if declared.mart:
            profiles.setdefault(declared.mart, set()).add(declared.profile)
    assert {mart: found for mart, found in profiles.items() if len(found) > 1} == {}


def test_every_reader_of_customers_sees_every_row() -> None:
    """api.customers computes recency_days at read time against the latest purchase in dim_customers
    (dbt_project/models/api/customer_360/customers.sql): a reader limited to some rows would read
    another as_of, so every role that reads customers must see all of them."""
    profile = access.PROFILES[access.RESOURCES["customers"].profile]
    assert profile and set(profile.values()) == {"all"}, profile


def _readme_readers() -> dict[str, str]:
    """resource → the "who can read it" cell of the README's table of API resources."""
    section = README.read_text(encoding="utf-8").split("## API resources", 1)[1].split("\n## ", 1)[0]
    found: dict[str, str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0].startswith(("`POST", "`GET")):
            continue
        for resource in re.findall(r"`([a-z_]+)`", cells[0]):
            found[resource] = cells[2]
    return found


_RULE_TEXT = {"all": "", "own": " (self)", "own_or_reports": " (self and reports)", "team": " (team)"}


def readers_text(resource: str, identifiers: bool = False) -> str:
    """Who reads the resource, as the README's table says it: ``hr, manager (team), employee (self)``."""
    profile = access.PROFILES[access.RESOURCES[resource].profile]
    if set(profile) == set(REQUEST_ROLES) and set(profile.values()) == {"all"}:
        return "everyone (anon too)"
    described = [f"{role}{_RULE_TEXT[rule]}" for role, rule in profile.items()]
    if not identifiers:
        return ", ".join(described)
    full = [text for text, role in zip(described, profile, strict=True) if role in access.IDENTIFIER_READERS]
    partial = [
        text for text, role in zip(described, profile, strict=True) if role not in access.IDENTIFIER_READERS
    ]
    return f"{', '.join(full)}; {', '.join(partial)} without identifiers"


def test_the_readme_says_who_reads_each_resource_as_declared() -> None:
    readers = _readme_readers()
    assert set(readers) == set(access.RESOURCES)
    assert readers == {
        resource: readers_text(resource, _identifiers(resource)) for resource in access.RESOURCES
    }


@pytest.mark.parametrize(
    ("resource", "text"),
    [
        ("customers", "analyst"),
        ("punches", "hr, manager (team), employee (self)"),
        ("employees", "hr; analyst, manager (self and reports), employee (self) without identifiers"),
        ("data_status", "everyone (anon too)"),
    ],
)
def test_readers_text(resource: str, text: str) -> None:
    assert readers_text(resource, _identifiers(resource)) == text
