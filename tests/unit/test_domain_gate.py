"""The per-domain publish gate: a domain is held back on its own failing blocking checks only."""

from orchestration.defs.platform.assets import _gate


def test_a_domain_with_failing_checks_is_held_back_and_the_others_publish() -> None:
    gate = _gate(
        {"customer_360": ["api/customers:row_count_vs_published"]}, {"customer_360", "controle_ponto"}
    )
    assert gate.publishing == {"controle_ponto"}
    assert gate.held_back == {"customer_360": ["api/customers:row_count_vs_published"]}
    assert _gate({}, {"customer_360", "controle_ponto"}).publishing == {"customer_360", "controle_ponto"}


def test_a_failing_check_outside_every_domain_holds_back_everything() -> None:
    gate = _gate({"platform": ["staging/stg_x:model_built"]}, {"customer_360", "controle_ponto"})
    assert gate.publishing == set()
    assert set(gate.held_back) == {"customer_360", "controle_ponto"}


def test_the_message_names_the_upstream_checks_first_and_counts_the_rest() -> None:
    checks = [f"api/customers:check_{n}" for n in range(6)] + ["raw/olist_orders:customer_exists"]
    message = _gate({"customer_360": checks}, {"customer_360"}).message
    assert message.startswith(
        "customer_360 not published (failing checks: raw/olist_orders:customer_exists, "
    )
    assert message.endswith("and 2 more)")
