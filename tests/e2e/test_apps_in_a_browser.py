"""The two dashboards in Debian's chromium against a real `bi-dash up` with the demo data, signed in
as the demo users `up` created. Values on the pages are compared with what the API answers for the
same filters, computed here from the API's rows (not read back from the page's own code).

Screenshots of every page go to test-artifacts/screenshots/ (a few are copied into the README)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from api_contracts import vocabulary
from tests.e2e.cli import ROOT, Cli

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "frontends" / "node_modules" / "axe-core" / "axe.min.js"
TIMEOUT = 60_000
DEMO_MONTH = "2025-01"  # the demo's controle_ponto data (generate ponto: January 2025)


# --- fixtures ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cli(demo_cli: Cli, demo_up: Any) -> Cli:
    again = demo_cli.run("up", "--detach")  # running: returns at once; stopped by another module: starts
    assert again.returncode == 0, again.stderr
    assert "Demo users" in demo_up.stdout  # `up` printed the demo users' credentials
    return demo_cli


@pytest.fixture(scope="module")
def users(cli: Cli) -> dict[str, dict[str, str]]:
    rows = (cli.home / "demo-users.txt").read_text().splitlines()
    assert oct((cli.home / "demo-users.txt").stat().st_mode & 0o777) == "0o600"
    return {
        name: {"password": password, "role": role, "employee_id": employee}
        for name, password, role, employee in (row.split("\t") for row in rows if row)
    }


@pytest.fixture(scope="module")
def site(cli: Cli) -> str:
    return f"http://127.0.0.1:{cli.ports['DOCS_PORT']}"


def api_token(cli: Cli, users: dict[str, dict[str, str]], username: str) -> dict[str, str]:
    answer = httpx.post(
        cli.api_url + "/rpc/login",
        json={"username": username, "password": users[username]["password"]},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def api_get(cli: Cli, headers: dict[str, str], path: str, **params: str) -> Any:
    answer = httpx.get(f"{cli.api_url}/{path}", params=params, headers=headers, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "chromium is missing: `make test` installs it (apt-get install chromium)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


class Pages:
    """New tabs whose requests may only go to this machine (no CDN, nothing leaves)."""

    def __init__(self, browser: Any, site: str) -> None:
        self.browser, self.site = browser, site
        self.refused: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        self.contexts: list[Any] = []

    def new(self, **options: Any) -> Any:
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, **options)
        self.contexts.append(context)
        page = context.new_page()

        def only_this_machine(route: Any) -> None:
            if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
                route.continue_()
            else:
                self.refused.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_machine)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.set_default_timeout(TIMEOUT)
        return page

    def sign_in(self, app: str, username: str, password: str, **options: Any) -> Any:
        page = self.new(**options)
        page.goto(f"{self.site}/{app}/")
        page.get_by_label("Usuário").fill(username)
        page.get_by_label("Senha").fill(password)
        page.get_by_role("button", name="Entrar").click()
        try:
            page.wait_for_selector("[data-testid=username]")
        except Exception as error:  # say what the page showed
            raise AssertionError(
                f"{username} did not get in: {text(page, 'body')!r}; console: {self.console[-5:]}"
            ) from error
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Any, site: str) -> Iterator[Pages]:
    opened = Pages(browser, site)
    yield opened
    opened.close()
    assert opened.refused == [], f"requests that left the machine: {opened.refused}"
    assert opened.errors == [], f"errors in the page: {opened.errors}"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def text(page: Any, selector: str) -> str:
    return " ".join(page.inner_text(selector).split())


def brl(value: Decimal | float) -> str:
    """R$ in pt-BR, written here from the rule ('.' thousands, ',' decimals)."""
    plain = f"{Decimal(str(value)).quantize(Decimal('0.01')):,.2f}"
    return "R$ " + plain.replace(",", "_").replace(".", ",").replace("_", ".")


def hhmm(minutes: float | None) -> str:
    """Minutes (numeric, 2 decimals) as hh:mm, rounded to the minute, half up."""
    if minutes is None:
        return "—"
    whole = int(Decimal(str(abs(minutes))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{'-' if minutes < 0 else ''}{whole // 60:02d}:{whole % 60:02d}"


def api_csv(cli: Cli, headers: dict[str, str], path: str, params: dict[str, str]) -> str:
    answer = httpx.get(
        f"{cli.api_url}/{path}", params=params, headers={**headers, "Accept": "text/csv"}, timeout=60
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def downloaded(page: Any, button: str) -> str:
    with page.expect_download() as download:
        page.get_by_role("button", name=button).click()
    return Path(download.value.path()).read_text()


def same_csv(left: str, right: str) -> bool:
    return list(csv.reader(io.StringIO(left.strip()))) == list(csv.reader(io.StringIO(right.strip())))


# --- sign-in -----------------------------------------------------------------------------------------
def test_each_demo_user_signs_in_and_a_wrong_password_leaves_no_session(
    pages: Pages, users: dict[str, dict[str, str]]
) -> None:
    for username, app in (
        ("analista", "customer-360"),
        ("rh", "ponto"),
        ("gestor", "ponto"),
        ("colaborador", "ponto"),
    ):
        page = pages.sign_in(app, username, users[username]["password"])
        assert text(page, "[data-testid=username]") == username
        assert users[username]["role"] in text(page, "header")
        session = json.loads(page.evaluate("sessionStorage.getItem('bi-dash.session')"))
        assert session["role"] == users[username]["role"] and session["token"].count(".") == 2
        page.get_by_role("button", name="Sair").click()  # logout forgets the token
        page.wait_for_selector("form[aria-label='Entrar no bi-dash']")
        assert page.evaluate("sessionStorage.getItem('bi-dash.session')") is None
    # the keyboard alone signs in: the name field has the focus, Tab moves on, Enter sends
    page = pages.new()
    page.goto(f"{pages.site}/customer-360/")
    page.wait_for_selector("input[name=username]:focus")
    page.keyboard.type("analista")
    page.keyboard.press("Tab")
    page.keyboard.type(users["analista"]["password"])
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=username]")
    page = pages.new()
    page.goto(f"{pages.site}/customer-360/")
    shot(page, "sign-in")
    page.get_by_label("Usuário").fill("analista")
    page.get_by_label("Senha").fill("not-the-password")
    page.get_by_role("button", name="Entrar").click()
    assert text(page, ".form-error") == "Usuário ou senha incorretos."
    assert page.evaluate("sessionStorage.getItem('bi-dash.session')") is None
    assert page.locator("[data-testid=username]").count() == 0
    # English is one choice away, and the choice is kept
    page.get_by_label("Idioma").select_option("en")
    assert page.get_by_role("button", name="Sign in").is_visible()


# --- customer_360 --------------------------------------------------------------------------------------
def test_overview_kpis_equal_the_api_for_the_chosen_period(
    pages: Pages, cli: Cli, users: dict[str, dict[str, str]]
) -> None:
    page = pages.sign_in("customer-360", "analista", users["analista"]["password"])
    page.fill("input[name=from]", "2018-01-01")
    page.fill("input[name=to]", "2018-03-31")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_selector("[data-testid=kpis]")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=states] tbody tr').length > 0")
    shot(page, "customer-360-overview")
    analyst = api_token(cli, users, "analista")
    days = api_get(cli, analyst, "daily_sales", date="gte.2018-01-01", **{"and": "(date.lte.2018-03-31)"})
    revenue = sum(Decimal(str(day["revenue"])) for day in days)
    valid = sum(day["valid_orders"] for day in days)
    # the previous period: the 90 days before 2018-01-01 (January to March are 31 + 28 + 31 days)
    start = dt.date(2018, 1, 1) - dt.timedelta(days=90)
    previous = api_get(cli, analyst, "daily_sales", date=f"gte.{start}", **{"and": "(date.lte.2017-12-31)"})
    previous_revenue = sum(Decimal(str(day["revenue"])) for day in previous)
    kpi = lambda name: text(page, f"[data-kpi={name}] .value")  # noqa: E731
    assert kpi("revenue") == brl(revenue)
    assert kpi("orders") == f"{sum(day['orders'] for day in days):,}".replace(",", ".")
    assert kpi("avgTicket") == brl(revenue / valid)
    assert kpi("newCustomers") == f"{sum(day['new_customers'] for day in days):,}".replace(",", ".")
    change = (revenue - previous_revenue) / previous_revenue * 100
    arrow = "▲" if change >= 0 else "▼"
    expected_change = f"{arrow} {abs(change):.1f}%".replace(".", ",")
    assert text(page, "[data-kpi=revenue]").endswith(f"{expected_change} vs. período anterior")
    states = api_get(cli, analyst, "sales_by_state", order="revenue.desc", limit="3")
    rows = page.locator("[data-testid=states] tbody tr")
    for index, state in enumerate(states):
        cells = rows.nth(index).locator("td").all_inner_texts()
        assert cells[0] == state["state"] and cells[3].replace("\xa0", " ") == brl(state["revenue"])


def test_customers_filter_sort_page_count_and_csv_equal_the_api(
    pages: Pages, cli: Cli, users: dict[str, dict[str, str]]
) -> None:
    page = pages.sign_in("customer-360", "analista", users["analista"]["password"])
    page.get_by_role("link", name="Clientes").click()
    page.fill("input[name=state]", "sp")
    page.fill("input[name=min_spent]", "100")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_url("**/customers?state=sp&min_spent=100*")
    page.wait_for_selector("[data-testid=customers]")
    shot(page, "customer-360-customers")
    analyst = api_token(cli, users, "analista")
    filters = {"state": "eq.SP", "total_spent": "gte.100"}
    order = "total_spent.desc,customer_unique_id.desc"
    first = httpx.get(
        cli.api_url + "/customers",
        params={**filters, "select": "customer_unique_id", "order": order, "limit": "25"},
        headers={**analyst, "Prefer": "count=exact"},
        timeout=60,
    )
    total = int(first.headers["Content-Range"].split("/")[1])
    assert text(page, "[data-testid=count]") == f"{total:,}".replace(",", ".") + " clientes encontrados"
    ids = lambda: page.locator("[data-testid=customers] tbody tr td:first-child").all_inner_texts()  # noqa: E731
    assert ids() == [row["customer_unique_id"] for row in first.json()]
    page.get_by_role("button", name="Próxima").click()
    page.wait_for_url("**page=2*")
    page.wait_for_function("() => document.body.innerText.includes('Página 2')")
    second = api_get(
        cli,
        analyst,
        "customers",
        **filters,
        select="customer_unique_id",
        order=order,
        offset="25",
        limit="25",
    )
    page.wait_for_function(
        "first => document.querySelector('[data-testid=customers] tbody tr td')?.innerText === first",
        arg=second[0]["customer_unique_id"],
    )
    assert ids() == [row["customer_unique_id"] for row in second]
    # sorting is the server's: ascending by total spent
    page.get_by_role("button", name="Total gasto").click()
    page.wait_for_url("**dir=asc*")
    cheapest = api_get(
        cli,
        analyst,
        "customers",
        **filters,
        select="customer_unique_id",
        order="total_spent.asc,customer_unique_id.asc",
        limit="1",
    )
    page.wait_for_function(
        "first => document.querySelector('[data-testid=customers] tbody tr td')?.innerText === first",
        arg=cheapest[0]["customer_unique_id"],
    )
    exported = downloaded(page, "Exportar CSV")
    columns = "customer_unique_id,city,state,segment,orders_count,total_spent,last_order_at"
    expected = api_csv(
        cli,
        analyst,
        "customers",
        {**filters, "select": columns, "order": "total_spent.asc,customer_unique_id.asc"},
    )
    assert same_csv(exported, expected) and len(exported.strip().splitlines()) == total + 1


def test_a_customer_profile_is_a_deep_link_with_its_orders(
    pages: Pages, cli: Cli, users: dict[str, dict[str, str]]
) -> None:
    analyst = api_token(cli, users, "analista")
    customer = api_get(cli, analyst, "customers", order="orders_count.desc,customer_unique_id", limit="1")[0]
    orders = api_get(
        cli, analyst, "customer_orders", customer_unique_id=f"eq.{customer['customer_unique_id']}"
    )
    page = pages.sign_in("customer-360", "analista", users["analista"]["password"])
    page.goto(
        f"{pages.site}/customer-360/customers/{customer['customer_unique_id']}"
    )  # same tab: same session
    page.wait_for_selector("[data-testid=orders]")
    shot(page, "customer-360-profile")
    assert text(page, "[data-testid=segment]") == customer["segment"]
    assert text(page, "[data-testid=rfm]").startswith(
        f"R {customer['r_score']} · F {customer['f_score']} · M {customer['m_score']}"
    )
    assert text(page, "[data-fact=totalSpent] dd") == brl(customer["total_spent"])
    listed = page.locator("[data-testid=orders] tbody tr td:first-child").all_inner_texts()
    assert sorted(listed) == sorted(order["order_id"] for order in orders)


def test_failures_show_their_state_sign_in_again_not_allowed_and_retry(
    pages: Pages, cli: Cli, users: dict[str, dict[str, str]]
) -> None:
    # network error → retry
    page = pages.sign_in("customer-360", "analista", users["analista"]["password"])
    page.route(f"{cli.api_url}/customers*", lambda route: route.abort())
    page.get_by_role("link", name="Clientes").click()
    page.wait_for_selector("[data-failure=network]")
    assert "Não foi possível falar com a API." in text(page, "[data-failure=network]")
    page.unroute(f"{cli.api_url}/customers*")
    page.get_by_role("button", name="Tentar de novo").click()
    page.wait_for_selector("[data-testid=customers]")
    # 401: a token the API does not accept ends the session and asks to sign in again
    page.evaluate(
        """() => { const s = JSON.parse(sessionStorage.getItem('bi-dash.session'));
                   s.token = s.token.slice(0, -4) + 'AAAA';
                   sessionStorage.setItem('bi-dash.session', JSON.stringify(s)); }"""
    )
    page.reload()
    page.wait_for_selector("text=Sua sessão terminou. Entre de novo.")
    assert page.evaluate("sessionStorage.getItem('bi-dash.session')") is None
    # 403: an employee has no right to sales
    page = pages.sign_in("customer-360", "colaborador", users["colaborador"]["password"])
    page.wait_for_selector("[data-failure=forbidden]")
    assert text(page, "[data-failure=forbidden]") == "Você não tem permissão para ver isto."


# --- controle_ponto ------------------------------------------------------------------------------------
def test_employee_month_equals_the_api_and_other_peoples_months_stay_hidden(
    pages: Pages, cli: Cli, users: dict[str, dict[str, str]]
) -> None:
    me = users["colaborador"]["employee_id"]
    page = pages.sign_in("ponto", "colaborador", users["colaborador"]["password"])
    page.goto(f"{pages.site}/ponto/?month={DEMO_MONTH}")  # later tests add punches of today
    page.wait_for_selector("[data-testid=timesheet]")
    shot(page, "ponto-employee-month")
    token = api_token(cli, users, "colaborador")
    days = api_get(
        cli,
        token,
        "timesheet_daily",
        employee_id=f"eq.{me}",
        work_date="gte.2025-01-01",
        order="work_date,jornada_of_day",
        **{"and": "(work_date.lte.2025-01-31)"},
    )
    # the header names each column in the page's language; number columns are right-aligned
    header = page.locator("[data-testid=timesheet] thead th")
    assert header.all_inner_texts() == [
        "Dia", "Marcações", "Trabalhado", "Previsto", "Saldo", "Horas extras", "Noturno", "Irregularidades"
    ]  # fmt: skip
    numeric = header.evaluate_all("cells => cells.map(c => c.className === 'num')")
    assert numeric == [False, False] + [True] * 5 + [False]
    rows = page.locator("[data-testid=timesheet] tbody tr")
    assert rows.count() == len(days)
    shown = rows.evaluate_all("rows => rows.map(r => [...r.cells].slice(2, 6).map(c => c.innerText))")
    assert shown == [
        [
            hhmm(day["worked_minutes"]),
            hhmm(day["expected_minutes"]),
            hhmm(day["balance_minutes"]),
            hhmm((day["overtime_50_minutes"] or 0) + (day["overtime_100_minutes"] or 0)),
        ]
        for day in days
    ]
    assert any(day["overtime_50_minutes"] for day in days)  # the demo month has overtime to show
    month = api_get(cli, token, "timesheet_monthly", employee_id=f"eq.{me}", month="eq.2025-01-01")[0]
    assert text(page, "[data-kpi=hourBank] .value") == hhmm(month["hour_bank_balance_minutes"])
    # editing the URL to someone else's month shows nothing of it
    hr = api_token(cli, users, "rh")
    other = users["gestor"]["employee_id"]
    other_name = api_get(cli, hr, "employees", employee_id=f"eq.{other}", select="name")[0]["name"]
    page.goto(f"{pages.site}/ponto/people/{other}?month={DEMO_MONTH}")
    page.wait_for_selector("[data-testid=not-yours]")
    body = text(page, "body")
    assert other_name not in body and page.locator("[data-testid=timesheet]").count() == 0


def test_manager_sees_exactly_the_team(pages: Pages, cli: Cli, users: dict[str, dict[str, str]]) -> None:
    manager = users["gestor"]["employee_id"]
    with psycopg.connect(host=str(cli.home / "pg"), dbname="bi_dash", user="postgres") as conn:
        team = {
            row[0]
            for row in conn.execute(
                "select employee_id from raw.employees where manager_id = %s or employee_id = %s",
                (manager, manager),
            )
        }
    page = pages.sign_in("ponto", "gestor", users["gestor"]["password"])
    page.get_by_role("link", name="Equipe").click()
    page.wait_for_selector("[data-testid=team]")
    page.goto(f"{pages.site}/ponto/team?month={DEMO_MONTH}")
    page.wait_for_selector("[data-testid=team]")
    shot(page, "ponto-manager-team")
    shown = set(
        page.locator("[data-testid=team] tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.employeeId)"
        )
    )
    assert shown == team and len(team) > 2
    # then one person's month
    member = sorted(team - {manager})[0]
    page.locator(f"tr[data-employee-id={member}] a").click()
    page.wait_for_selector("[data-testid=timesheet]")
    assert member in text(page, "[data-testid=person]")


def test_punch_and_hr_correction_from_the_pages_reach_the_api_after_a_refresh(
    pages: Pages, cli: Cli, users: dict[str, dict[str, str]]
) -> None:
    me = users["colaborador"]["employee_id"]
    employee = pages.sign_in("ponto", "colaborador", users["colaborador"]["password"])
    employee.get_by_role("button", name="Registrar ponto").click()
    employee.get_by_role("button", name="Confirmar").click()
    employee.wait_for_selector("[data-testid=pending] li")
    assert "pendente até a próxima atualização" in text(employee, "[data-testid=pending]")
    hr = pages.sign_in("ponto", "rh", users["rh"]["password"])
    hr.goto(f"{pages.site}/ponto/people/{me}?month={DEMO_MONTH}")
    hr.wait_for_selector("[data-testid=timesheet]")
    punch = hr.locator("[data-testid=timesheet] .punch[data-status=kept]").first
    punch_id = punch.get_attribute("data-punch-id")
    punch.get_by_role("button").click()
    hr.get_by_role("button", name="Salvar").click()  # no reason: the form does not send
    assert hr.locator("text=Correção registrada").count() == 0
    hr.get_by_label("Motivo (obrigatório)").fill("batida registrada por engano (teste)")
    hr.get_by_role("button", name="Salvar").click()
    hr.wait_for_selector("text=Correção registrada; aparece após a próxima atualização.")
    shot(hr, "ponto-hr-correction")
    refreshed = cli.run("refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    token = api_token(cli, users, "rh")
    corrected = api_get(cli, token, "punches", punch_id=f"eq.{punch_id}")
    assert [(row["status"], row["reason"]) for row in corrected] == [
        ("disregarded", "batida registrada por engano (teste)")
    ]
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))
    web = api_get(cli, token, "punches", employee_id=f"eq.{me}", source="eq.web", punched_at=f"gte.{today}")
    assert len(web) == 1


def test_hr_anomalies_queue_and_month_close_csv_equal_the_api(
    pages: Pages, cli: Cli, users: dict[str, dict[str, str]]
) -> None:
    hr = api_token(cli, users, "rh")
    page = pages.sign_in("ponto", "rh", users["rh"]["password"])
    page.get_by_role("link", name="Anomalias").click()
    page.wait_for_selector("[data-testid=anomalies]")
    shot(page, "ponto-hr-anomalies")
    queue = httpx.get(
        cli.api_url + "/punch_anomalies",
        params={
            "kind": "not.in.(break_violation,rest_violation,overtime_over_limit)",
            "select": "anomaly_id",
            "limit": "1",
        },
        headers={**hr, "Prefer": "count=exact"},
        timeout=60,
    )
    total = int(queue.headers["Content-Range"].split("/")[1])
    assert text(page, "[data-testid=count]").endswith(f"/ {total}")
    # the kind filter offers every kind the API can return (the vocabulary), the violations last
    offered = page.get_by_label("Tipo").locator("option").evaluate_all("options => options.map(o => o.value)")
    assert offered[0] == "" and sorted(offered[1:]) == sorted(vocabulary.ANOMALY_KINDS)
    assert offered[-len(vocabulary.VIOLATION_KINDS) :] == list(vocabulary.VIOLATION_KINDS)
    page.get_by_role("link", name="Fechamento do mês").click()
    page.wait_for_selector("[data-testid=close]")
    page.goto(f"{pages.site}/ponto/close?month={DEMO_MONTH}")
    page.wait_for_selector("[data-testid=close]")
    shot(page, "ponto-hr-month-close")
    columns = (
        "employee_id,month,jornadas_count,incomplete_days,review_days,absences_count,justified_absences,"
        "worked_minutes,expected_minutes,balance_minutes,overtime_50_minutes,overtime_100_minutes,"
        "night_minutes,deficit_minutes,break_violations,rest_violations,overtime_over_limit_days,"
        "hour_bank_balance_minutes"
    )
    expected = api_csv(
        cli,
        hr,
        "timesheet_monthly",
        {"select": columns, "month": "eq.2025-01-01", "order": "employee_id.asc"},
    )
    exported = downloaded(page, "Exportar CSV")
    assert same_csv(exported, expected) and len(expected.splitlines()) > 10


# --- accessibility ---------------------------------------------------------------------------------------
PAGES = (
    ("analista", "customer-360", "/", "[data-testid=states] tbody tr"),
    ("analista", "customer-360", "/customers", "[data-testid=customers]"),
    ("colaborador", "ponto", "/", "[data-testid=timesheet]"),
    ("gestor", "ponto", "/team", "[data-testid=team]"),
    ("rh", "ponto", "/anomalies", "[data-testid=anomalies]"),
    ("rh", "ponto", "/close", "[data-testid=close]"),
)


def test_axe_finds_no_serious_or_critical_violation_on_any_page(
    pages: Pages, users: dict[str, dict[str, str]]
) -> None:
    assert AXE.exists(), "axe-core is missing: `make bootstrap` installs the frontends' npm packages"
    found: dict[str, list[str]] = {}
    for username, app, path, ready in PAGES:
        # axe is injected by the test, so this tab lets the test's script past the page's CSP
        page = pages.sign_in(app, username, users[username]["password"], bypass_csp=True)
        page.goto(f"{pages.site}/{app}{path}")
        page.wait_for_selector(ready)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"""
        )
        if violations:
            found[f"{app}{path} as {username}"] = violations
    page = pages.new(bypass_csp=True)
    page.goto(f"{pages.site}/customer-360/")
    page.wait_for_selector("form")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run()).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)"
    )
    if violations:
        found["sign-in"] = violations
    assert found == {}


# --- bi-dash users -------------------------------------------------------------------------------------
def test_users_cli_adds_lists_disables_and_sets_passwords_never_from_argv(cli: Cli) -> None:
    def login(password: str) -> int:
        answer = httpx.post(
            cli.api_url + "/rpc/login", json={"username": "Joana", "password": password}, timeout=60
        )
        return answer.status_code

    in_argv = cli.run("users", "add", "joana", "--role", "analyst", "--password", "secret-pass-1")
    assert in_argv.returncode != 0 and "No such option" in in_argv.stderr
    added = cli.run_input(
        "first-pass-1\n",
        "users",
        "add",
        "joana",
        "--role",
        "employee",
        "--employee-id",
        "E000002",
        "--password-stdin",
    )
    assert added.returncode == 0, added.stderr
    assert "first-pass-1" not in added.stdout + added.stderr
    assert login("first-pass-1") == 200
    listed = cli.run("users", "list")
    line = next(row for row in listed.stdout.splitlines() if "joana" in row)
    assert "employee" in line and "E000002" in line and "active" in line
    assert cli.run("users", "disable", "joana").returncode == 0
    assert login("first-pass-1") == 401
    assert "disabled" in next(row for row in cli.run("users", "list").stdout.splitlines() if "joana" in row)
    assert cli.run("users", "enable", "joana").returncode == 0
    changed = cli.run_input("second-pass-2\n", "users", "set-password", "joana", "--password-stdin")
    assert changed.returncode == 0, changed.stderr
    assert (login("first-pass-1"), login("second-pass-2")) == (401, 200)
    short = cli.run_input("short\n", "users", "set-password", "joana", "--password-stdin")
    assert short.returncode == 1 and "too short" in short.stderr and "Traceback" not in short.stderr
