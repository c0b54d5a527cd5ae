"""The pages in a real headless Chromium (Debian's, driven by Playwright) against a real
server process: a borrower on a 360 px phone, the committee approving and disbursing, a
double click, a form without its CSRF token, an auditor's download. axe-core checks every
page; a screenshot of each is kept under pytest's temporary folder (pages-as-png0)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from babel.numbers import format_currency
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import PASSWORD
from tests.pages.test_pages import _borrower_in
from tests.reports.books import TODAY, disbursed_loan, loan_product, member
from tests.servers import running_servers
from tests.support import Api, unique

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(api: Api) -> Iterator[str]:
    with running_servers(1) as (url,):
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    assert executable is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pages-as-png")


def _page(chromium: Browser, width: int = 1280, locale: str = "en-US") -> Page:
    """A page in a browser of its own, whose Accept-Language is `locale`."""
    context = chromium.new_context(viewport={"width": width, "height": 900},
                                   accept_downloads=True, locale=locale)
    return context.new_page()


def _log_in(page: Page, server: str, username: str) -> None:
    page.goto(f"{server}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation(url=lambda url: not url.endswith("/login")):
        page.get_by_role("button", name="Sign in").click()


def _accessible(page: Page, shots: Path, name: str) -> None:
    """No serious or critical axe-core violation; the page kept as a picture."""
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    found = Axe().run(page).response["violations"]
    serious = [(item["id"], item["impact"], [node["target"] for node in item["nodes"]][:3])
               for item in found if item["impact"] in ("serious", "critical")]
    assert serious == [], f"{name}: {serious}"


def test_a_borrower_on_a_phone_in_traditional_chinese(api: Api, server: str,
                                                     chromium: Browser, shots: Path) -> None:
    username, loan, fund = _borrower_in(api, "zh-Hant")
    first = api.get(f"/api/loans/{loan}/schedule").json()["installments"][0]
    page = _page(chromium, width=360)
    page.goto(f"{server}/login")
    _accessible(page, shots, "login")
    _log_in(page, server, username)
    assert page.url.endswith("/my")
    next_payment = page.locator("section.next")
    assert "下一期還款" in next_payment.inner_text()
    assert format_currency(Decimal(first["total"]), "HKD", locale="zh_Hant") in (
        next_payment.inner_text())
    # Nothing wider than the phone's screen but the schedule's own scrolling box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _accessible(page, shots, "my-360px-zh-Hant")
    other = disbursed_loan(api, fund, loan_product(api, fund), "1000.00", TODAY)
    refused = page.request.get(f"{server}/documents/loans/{other}/schedule.pdf")
    assert refused.status == 404
    own = page.request.get(f"{server}/documents/loans/{loan}/schedule.pdf")
    assert own.status == 200 and own.headers["content-language"] == "zh-Hant"
    not_hers = page.goto(f"{server}/queue")  # not a borrower's page
    assert not_hers is not None and not_hers.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "403：已拒絕"  # noqa: RUF001
    _accessible(page, shots, "refused-403")


def test_signing_in_on_a_phone_whose_browser_speaks_nepali(api: Api, server: str,
                                                          chromium: Browser,
                                                          shots: Path) -> None:
    username, _, _ = _borrower_in(api, "ne")
    page = _page(chromium, width=360, locale="ne-NP")
    page.goto(f"{server}/login")
    assert page.locator("html").get_attribute("lang") == "ne"
    _accessible(page, shots, "login-360px-ne")
    page.get_by_label("प्रयोगकर्ता नाम").fill(username)
    page.get_by_label("पासवर्ड").fill("not the password")
    page.get_by_role("button", name="साइन इन गर्नुहोस्").click()
    assert page.locator("#message").inner_text().strip() == "प्रयोगकर्ता नाम वा पासवर्ड गलत छ।"
    _accessible(page, shots, "login-refused-360px-ne")
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation(url=lambda url: url.endswith("/my")):
        page.get_by_role("button", name="Sign in").click()
    assert page.locator("html").get_attribute("lang") == "ne"  # the borrower's own language


def _answered(page: Page, action: str) -> Any:
    """Waits for the htmx request a page action sends (networkidle may come before it)."""
    return page.expect_response(lambda response: action in response.url)


def _approve(page: Page, loan: str) -> None:
    card = page.locator(f"section[aria-labelledby='loan-{loan}']")
    with _answered(page, f"/queue/loans/{loan}/approve"):
        card.get_by_role("button", name="Approve").click()


def test_two_admins_approve_a_third_disburses_and_the_borrower_sees_it(
        api: Api, server: str, chromium: Browser, shots: Path) -> None:
    fund = api.new_fund(contribution="50000.00")
    person = member(api)
    borrower = unique("borrower")
    assert api.post("/api/users", {"username": borrower, "password": PASSWORD,
                                   "role": "borrower", "person_id": person}).status_code == 201
    loan = api.post("/api/loans", {"person": person, "product": loan_product(api, fund),
                                   "amount": "10000.00", "purpose": "Van"}, key=None).json()
    assert loan["approvals_needed"] == 2
    third = unique("admin")
    api.post("/api/users", {"username": third, "password": PASSWORD, "role": "admin"})
    page = _page(chromium)
    for approver in ("t-admin2", third):
        _log_in(page, server, approver)
        page.goto(f"{server}/queue?fund={fund}")
        _approve(page, loan["id"])
        expect(page.locator("#queue")).to_contain_text("Approval recorded")
    _accessible(page, shots, "queue")
    _log_in(page, server, "t-admin")
    page.goto(f"{server}/queue?fund={fund}")
    card = page.locator(f"section[aria-labelledby='loan-{loan['id']}']")
    with _answered(page, f"/queue/loans/{loan['id']}/disburse"):
        card.get_by_role("button", name="Disburse").click()
    expect(page.locator("#queue")).to_contain_text("Loan disbursed")
    assert api.get(f"/api/loans/{loan['id']}").json()["status"] == "active"
    _log_in(page, server, borrower)
    assert page.url.endswith("/my")
    schedule = api.get(f"/api/loans/{loan['id']}/schedule").json()["installments"]
    assert page.locator("table.schedule tbody tr").count() == len(schedule)
    _accessible(page, shots, "my-after-disbursement")


def test_a_double_clicked_repayment_posts_once(api: Api, server: str,
                                               chromium: Browser) -> None:
    fund = api.new_fund(contribution="50000.00")
    loan = disbursed_loan(api, fund, loan_product(api, fund), "3000.00",
                          TODAY - timedelta(days=20))
    page = _page(chromium)
    _log_in(page, server, "t-admin")
    page.goto(f"{server}/queue?fund={fund}")
    card = page.locator(f"section[aria-labelledby='loan-{loan}']")
    card.get_by_label("Amount (HKD)").fill("250.00")
    with _answered(page, f"/queue/loans/{loan}/repay"):
        card.get_by_role("button", name="Record repayment").dblclick()
    page.wait_for_load_state("networkidle")
    entries: list[dict[str, Any]] = api.get("/api/journal", params={
        "fund": fund, "account": "1000", "limit": 100}, role="auditor").json()["items"]
    repayments = [entry for entry in entries
                  if entry["source"] and entry["source"]["kind"] == "loan_repayment"]
    assert len(repayments) == 1


def test_a_form_without_its_csrf_token_is_refused(api: Api, server: str,
                                                  chromium: Browser) -> None:
    page = _page(chromium)
    page.goto(f"{server}/login")
    page.evaluate("document.querySelector('input[name=_csrf_token]').remove()")
    page.get_by_label("Username").fill("t-admin")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_response(f"{server}/login") as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 403
    page.goto(f"{server}/queue")
    assert page.url.endswith("/login")  # nobody was signed in


def test_an_auditor_downloads_the_trial_balance(api: Api, server: str, chromium: Browser,
                                                shots: Path) -> None:
    fund = api.new_fund(contribution="777.00")
    page = _page(chromium)
    _log_in(page, server, "t-auditor")
    assert page.url.endswith("/audit")
    page.goto(f"{server}/audit?fund={fund}")
    _accessible(page, shots, "audit")
    section = page.locator(f"section[aria-labelledby='fund-{fund}']")
    with page.expect_download() as download:
        section.get_by_role("link", name="CSV").first.click()
    saved = shots / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"trial-balance-{fund}-{TODAY.isoformat()}.csv"
    assert "777.00" in saved.read_text() and saved.read_text().startswith("account,name")


def test_signing_in_and_approving_with_the_keyboard_alone(api: Api, server: str,
                                                          chromium: Browser) -> None:
    fund = api.new_fund(contribution="50000.00")
    loan = api.post("/api/loans", {"person": member(api), "product": loan_product(api, fund),
                                   "amount": "2000.00", "purpose": "Sewing machine"},
                    key=None).json()
    page = _page(chromium)
    page.goto(f"{server}/login")
    page.keyboard.press("Tab")
    page.keyboard.type("t-admin2")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation(url="**/queue"):
        page.keyboard.press("Enter")
    page.goto(f"{server}/queue?fund={fund}")
    approve = page.locator(f"section[aria-labelledby='loan-{loan['id']}']").get_by_role(
        "button", name="Approve")
    for _ in range(200):  # Tab through the page until the loan's Approve button has focus
        if approve.evaluate("button => button === document.activeElement"):
            break
        page.keyboard.press("Tab")
    with _answered(page, f"/queue/loans/{loan['id']}/approve"):
        page.keyboard.press("Enter")
    expect(page.locator("#queue")).to_contain_text("Approval recorded")
    assert api.get(f"/api/loans/{loan['id']}").json()["status"] == "approved"
