"""The pages for people through Litestar's test client: sessions, CSRF, throttling, roles,
and that a page action is the same service call as the API (maker-checker, idempotency)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from babel.numbers import format_currency

from tests.conftest import PASSWORD
from tests.reports.books import TODAY, disbursed_loan, loan_product, member
from tests.support import Api, unique


class Browser:
    """One person's browser: its own cookies, forms sent with their CSRF token."""

    def __init__(self, api: Api) -> None:
        self.client = api.client

    def get(self, path: str, **options: Any) -> httpx.Response:
        return self.client.get(path, follow_redirects=False, **options)

    def csrf(self) -> str:
        if "csrftoken" not in self.client.cookies:
            self.get("/login")
        token: str = self.client.cookies["csrftoken"]
        return token

    def post(self, path: str, data: dict[str, str], *, csrf: bool = True,
             htmx: bool = False) -> httpx.Response:
        form = {**data, **({"_csrf_token": self.csrf()} if csrf else {})}
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(path, data=form, headers=headers, follow_redirects=False)

    def log_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return self.post("/login", {"username": username, "password": password})


@pytest.fixture
def browser(api: Api) -> Iterator[Browser]:
    api.client.cookies.clear()
    yield Browser(api)
    api.client.cookies.clear()


def test_log_in_goes_home_by_role_and_log_out_ends_the_session(browser: Browser) -> None:
    page = browser.get("/login")
    assert page.status_code == 200 and 'name="_csrf_token"' in page.text
    assert '<label for="username">' in page.text and '<label for="password">' in page.text
    for username, home in (("t-admin", "/queue"), ("t-auditor", "/audit"),
                           ("t-borrower", "/my")):
        signed = browser.log_in(username)
        assert (signed.status_code, signed.headers["location"]) == (303, home), signed.text
        cookie = signed.headers["set-cookie"]
        assert "aidledger_session=" in cookie and "HttpOnly" in cookie
        assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
        assert browser.get(home).status_code == 200
        assert browser.post("/logout", {}).headers["location"] == "/login"
        assert browser.get(home).headers["location"] == "/login"


def test_a_wrong_password_is_refused_on_the_page(browser: Browser) -> None:
    refused = browser.log_in("t-admin", "not the password")
    assert refused.status_code == 401 and "Wrong username or password" in refused.text
    assert browser.get("/queue").headers["location"] == "/login"


def test_a_form_without_its_csrf_token_is_refused(browser: Browser) -> None:
    refused = browser.post("/login", {"username": "t-admin", "password": PASSWORD}, csrf=False)
    assert refused.status_code == 403
    assert "aidledger_session" not in refused.headers.get("set-cookie", "")


def test_repeated_wrong_passwords_close_the_login_for_a_while(api: Api,
                                                             browser: Browser) -> None:
    username = unique("clerk")
    created = api.post("/api/users", {"username": username, "password": PASSWORD,
                                      "role": "auditor"})
    assert created.status_code == 201, created.text
    for _ in range(5):
        assert browser.log_in(username, "guess").status_code == 401
    throttled = browser.log_in(username)  # even the right password, for now
    assert throttled.status_code == 429 and "Too many wrong passwords" in throttled.text


def test_each_role_opens_its_own_pages_only(browser: Browser) -> None:
    browser.log_in("t-borrower")
    assert browser.get("/queue").status_code == 403
    assert browser.get("/audit").status_code == 403
    browser.log_in("t-admin")
    assert browser.get("/my").status_code == 403
    assert browser.get("/audit").status_code == 200  # admins read reports too


def _borrower_in(api: Api, language: str) -> tuple[str, str, str]:
    """A borrower login whose person reads `language`, with a loan disbursed 40 days ago."""
    fund = api.new_fund(contribution="50000.00")
    person = member(api)
    patched = api.post("/api/people", {"full_name": unique("Reader"),
                                       "preferred_language": language,
                                       "date_of_birth": "1991-01-01"})
    assert patched.status_code == 201
    person = patched.json()["id"]
    for course, on in (("budgeting-basics", "2025-06-01"), ("avoiding-debt-traps", "2025-07-01")):
        api.post(f"/api/people/{person}/course-completions",
                 {"course": course, "completed_on": on, "score": 90}, key=None)
    product = loan_product(api, fund)
    loan = api.post("/api/loans", {"person": person, "product": product, "amount": "3000.00",
                                   "purpose": "Stall", "applied_on":
                                   (TODAY - timedelta(days=40)).isoformat()}, key=None).json()
    api.post(f"/api/loans/{loan['id']}/approvals", {}, key=None, role="admin2")
    disbursed = api.post(f"/api/loans/{loan['id']}/disbursement",
                         {"date": (TODAY - timedelta(days=40)).isoformat()})
    assert disbursed.status_code == 200, disbursed.text
    username = unique("reader")
    created = api.post("/api/users", {"username": username, "password": PASSWORD,
                                      "role": "borrower", "person_id": person})
    assert created.status_code == 201, created.text
    return username, loan["id"], fund


def test_a_borrower_sees_the_next_payment_in_their_language(api: Api,
                                                           browser: Browser) -> None:
    username, loan, fund = _borrower_in(api, "zh-HK")
    schedule = api.get(f"/api/loans/{loan}/schedule").json()
    browser.log_in(username)
    page = browser.get("/my")
    assert page.status_code == 200
    assert '<html lang="zh-Hant">' in page.text
    assert "下一期還款" in page.text  # "Next payment"
    first = schedule["installments"][0]
    assert format_currency(Decimal(first["total"]), "HKD", locale="zh_Hant") in page.text
    assert "還款時間表" in page.text and f"/documents/loans/{loan}/key-facts.pdf" in page.text
    document = browser.get(f"/documents/loans/{loan}/key-facts.pdf")
    assert document.status_code == 200 and document.headers["content-language"] == "zh-Hant"
    other = disbursed_loan(api, fund, loan_product(api, fund), "1000.00", TODAY)
    assert browser.get(f"/documents/loans/{other}/key-facts.pdf").status_code == 404


def _form_key(page: str, action: str) -> str:
    """The idempotency key the page rendered into the form posting to `action`."""
    found = re.search(rf'action="{re.escape(action)}[^"]*".*?name="idempotency_key" '
                      r'value="([^"]+)"', page, re.S)
    assert found is not None, action
    return found.group(1)


def test_two_admins_approve_and_a_third_disburses(api: Api, browser: Browser) -> None:
    fund = api.new_fund(contribution="50000.00")
    loan = api.post("/api/loans", {"person": member(api), "product": loan_product(api, fund),
                                   "amount": "10000.00", "purpose": "Van"}, key=None).json()
    assert loan["approvals_needed"] == 2 and loan["created_by"] == "t-admin"
    third = unique("admin")
    assert api.post("/api/users", {"username": third, "password": PASSWORD,
                                   "role": "admin"}).status_code == 201
    approve = f"/queue/loans/{loan['id']}/approve"

    def act(username: str, action: str, **fields: str) -> str:
        browser.log_in(username)
        queue = browser.get("/queue", params={"fund": fund})
        assert loan["id"] in queue.text
        return browser.post(f"{action}?fund={fund}",
                            {"idempotency_key": _form_key(queue.text, action), **fields},
                            htmx=True).text

    # Whoever recorded the application may not approve it: the page says why.
    assert "Whoever recorded an application may not approve it" in act("t-admin", approve,
                                                                        note="")
    assert "Approval recorded" in act("t-admin2", approve, note="checked the stall")
    assert api.get(f"/api/loans/{loan['id']}").json()["status"] == "pending_approval"
    assert "Approval recorded" in act(third, approve, note="")
    assert api.get(f"/api/loans/{loan['id']}").json()["status"] == "approved"
    assert "Loan disbursed" in act("t-admin", f"/queue/loans/{loan['id']}/disburse",
                                   date=TODAY.isoformat())
    after = api.get(f"/api/loans/{loan['id']}").json()
    assert after["status"] == "active"
    assert [approval["by"] for approval in after["approvals"]] == ["t-admin2", third]


def test_a_repayment_form_sent_twice_posts_once(api: Api, browser: Browser) -> None:
    fund = api.new_fund(contribution="50000.00")
    loan = disbursed_loan(api, fund, loan_product(api, fund), "3000.00",
                          TODAY - timedelta(days=20))
    browser.log_in("t-admin")
    queue = browser.get("/queue", params={"fund": fund})
    form = {"idempotency_key": _form_key(queue.text, f"/queue/loans/{loan}/repay"),
            "amount": "500.00", "date": TODAY.isoformat()}
    first = browser.post(f"/queue/loans/{loan}/repay?fund={fund}", form, htmx=True)
    second = browser.post(f"/queue/loans/{loan}/repay?fund={fund}", form, htmx=True)
    assert "Repayment recorded" in first.text
    assert "nothing was posted twice" in second.text
    entries = api.get("/api/journal", params={"fund": fund, "account": "1000",
                                              "limit": 100}, role="auditor").json()["items"]
    repayments = [entry for entry in entries if entry["source"]
                  and entry["source"]["kind"] == "loan_repayment"]
    assert len(repayments) == 1


def test_the_auditor_downloads_reports_and_verifies(api: Api, browser: Browser) -> None:
    fund = api.new_fund(contribution="1234.00")
    browser.log_in("t-auditor")
    desk = browser.get("/audit", params={"fund": fund})
    assert f'<section class="card" aria-labelledby="fund-{fund}">' in desk.text
    assert f'<option value="{fund}" selected>' in desk.text
    assert 'aria-labelledby="fund-' not in browser.get("/audit").text  # none chosen yet
    assert browser.get("/audit", params={"fund": "no-such-fund"}).status_code == 404
    download = browser.get("/audit/reports/trial-balance", params={"fund": fund,
                                                                  "format": "csv"})
    assert download.status_code == 200 and download.headers["content-type"].startswith(
        "text/csv")
    assert download.text.splitlines()[0] == "account,name,type,debit,credit"
    assert "1234.00" in download.text
    verified = browser.get("/audit/verify", params={"fund": fund},
                           headers={"HX-Request": "true"})
    assert verified.status_code == 200 and "verify" in verified.text
    checkpoint = browser.get("/audit/checkpoint", params={"fund": fund})
    assert checkpoint.json()["fund"] == fund


def test_a_visitor_who_signs_in_to_nothing_leaves_no_session_behind(browser: Browser) -> None:
    from tests.support import raw_sql

    before = raw_sql("SELECT count(*) FROM web_session")[0][0][0]
    for _ in range(3):
        browser.client.cookies.clear()
        assert browser.get("/login").status_code == 200
    assert raw_sql("SELECT count(*) FROM web_session")[0][0][0] == before
    browser.log_in("t-auditor")
    assert raw_sql("SELECT count(*) FROM web_session")[0][0][0] == before + 1
    browser.post("/logout", {})
    assert raw_sql("SELECT count(*) FROM web_session")[0][0][0] == before


def _session_key(response: httpx.Response) -> str:
    found = re.search(r"aidledger_session=([^;]+)", response.headers["set-cookie"])
    assert found is not None, response.headers
    return found.group(1)


def test_signing_in_gives_the_session_a_new_key(browser: Browser) -> None:
    """A key planted in the browser before sign-in (session fixation) never holds the
    login, and the key of a session signed into again stops working."""
    from tests.support import raw_sql

    planted = "a" * 64
    browser.client.cookies.set("aidledger_session", planted)
    signed = browser.log_in("t-admin")
    assert signed.status_code == 303, signed.text
    first = _session_key(signed)
    assert first != planted
    assert raw_sql(f"SELECT count(*) FROM web_session WHERE key = '{planted}'")[0][0][0] == 0
    assert browser.get("/queue").status_code == 200
    again = browser.log_in("t-auditor")  # someone else at the same browser
    second = _session_key(again)
    assert second not in {first, planted}
    for stale in (planted, first):
        browser.client.cookies.clear()
        browser.client.cookies.set("aidledger_session", stale)
        for page in ("/queue", "/audit"):
            refused = browser.get(page)
            assert (refused.status_code, refused.headers.get("location")) == (
                303, "/login"), (stale == planted, page, refused.status_code)
    browser.client.cookies.clear()
    browser.client.cookies.set("aidledger_session", second)
    assert browser.get("/audit").status_code == 200
