"""The pages read before anyone is known, signing in and a refusal, speak the reader's
language: the one chosen on the page, else the browser's Accept-Language, else English."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.conftest import PASSWORD
from tests.pages.test_pages import Browser, _borrower_in
from tests.support import Api, unique


@pytest.fixture
def browser(api: Api) -> Iterator[Browser]:
    api.client.cookies.clear()
    yield Browser(api)
    api.client.cookies.clear()
    api.client.headers.pop("accept-language", None)


def _asks_for(browser: Browser, header: str) -> None:
    browser.client.headers["accept-language"] = header


def _language_of(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)">', page)
    assert found is not None, page[:200]
    return found.group(1)


def test_the_sign_in_page_speaks_the_browsers_language(browser: Browser) -> None:
    _asks_for(browser, "zh-HK,zh;q=0.9,en;q=0.5")
    page = browser.get("/login")
    assert page.status_code == 200
    assert _language_of(page.text) == "zh-Hant"
    assert "<h1>登入</h1>" in page.text and "使用者名稱" in page.text and "密碼" in page.text
    assert "Sign in" not in page.text and "Password" not in page.text
    assert '<input type="hidden" name="lang" value="zh-Hant">' in page.text
    # The menu offers every language, each in itself, this one marked as current.
    assert '<a href="/login?lang=zh-Hant" lang="zh-Hant" hreflang="zh-Hant" ' \
           'aria-current="page">中文 (繁體)</a>' in page.text
    for code, name in (("es", "Español"), ("ne", "नेपाली"), ("en", "English")):
        assert f'href="/login?lang={code}" lang="{code}" hreflang="{code}">{name}</a>' in page.text
    _asks_for(browser, "fr-FR, fr;q=0.9")  # nothing shipped: English
    english = browser.get("/login")
    assert _language_of(english.text) == "en" and "<h1>Sign in</h1>" in english.text


def test_a_language_chosen_on_the_page_wins_over_the_browsers(browser: Browser) -> None:
    _asks_for(browser, "zh-HK")
    page = browser.get("/login", params={"lang": "ne"})
    assert _language_of(page.text) == "ne" and "<h1>साइन इन गर्नुहोस्</h1>" in page.text
    assert _language_of(browser.get("/login", params={"lang": "fil"}).text) == "tl"
    refused = browser.get("/login", params={"lang": "not a tag"})
    assert refused.status_code == 400 and "lang: a BCP 47 language tag" in refused.text


def test_a_refused_sign_in_is_worded_in_the_pages_language(api: Api, browser: Browser) -> None:
    _asks_for(browser, "zh-HK")  # the form's own language decides, not the browser's
    wrong = browser.post("/login", {"username": "t-admin", "password": "guess", "lang": "es"})
    assert wrong.status_code == 401 and _language_of(wrong.text) == "es"
    assert "El nombre de usuario o la contraseña no son correctos." in wrong.text
    assert '<input type="hidden" name="lang" value="es">' in wrong.text
    assert "Wrong username" not in wrong.text

    username = unique("leaver")
    created = api.post("/api/users", {"username": username, "password": PASSWORD,
                                      "role": "auditor"})
    assert created.status_code == 201, created.text
    assert api.post(f"/api/users/{username}/deactivation").status_code == 200
    disabled = browser.post("/login", {"username": username, "password": PASSWORD,
                                       "lang": "zh-Hans"})
    assert disabled.status_code == 401 and _language_of(disabled.text) == "zh-Hans"
    assert "此登录账户已被停用，请联系基金管理员。" in disabled.text  # noqa: RUF001 (Chinese comma)

    guessed = unique("guessed")
    for _ in range(5):
        assert browser.post("/login", {"username": guessed, "password": "guess",
                                       "lang": "vi"}).status_code == 401
    throttled = browser.post("/login", {"username": guessed, "password": "guess", "lang": "vi"})
    assert throttled.status_code == 429 and _language_of(throttled.text) == "vi"
    assert "hãy thử lại sau 15 phút." in throttled.text


def test_a_borrowers_refusal_pages_speak_their_own_language(api: Api,
                                                          browser: Browser) -> None:
    username, _, _ = _borrower_in(api, "zh-Hant")
    _asks_for(browser, "es-MX")  # the person's own language wins over the browser's
    assert browser.log_in(username).status_code == 303
    refused = browser.get("/queue")
    assert refused.status_code == 403 and _language_of(refused.text) == "zh-Hant"
    assert "<h1>403：已拒絕</h1>" in refused.text  # noqa: RUF001 (Chinese colon)
    assert "您的登入帳戶無權開啟此頁面。" in refused.text and ">返回</a>" in refused.text
    missing = browser.get("/documents/loans/no-such-loan/schedule.pdf")
    assert missing.status_code == 404 and _language_of(missing.text) == "zh-Hant"
    assert "這裡沒有內容，或者您無權查看。" in missing.text  # noqa: RUF001 (Chinese comma)


def test_staff_refusal_pages_follow_the_browser(browser: Browser) -> None:
    _asks_for(browser, "es-MX, en;q=0.5")
    assert browser.log_in("t-admin").status_code == 303
    refused = browser.get("/my")
    assert refused.status_code == 403 and _language_of(refused.text) == "es"
    assert "<h1>403: rechazado</h1>" in refused.text and ">Volver</a>" in refused.text
    assert "Esta página no está abierta para su acceso." in refused.text
    # The service's own English words are there for staff, folded away and marked English.
    assert re.search(r'<details><summary>Detalles \(en inglés\)</summary><p lang="en">'
                     r"The admin role may not open this page\.</p></details>", refused.text)
    _asks_for(browser, "en-GB")
    english = browser.get("/my")
    assert "This page is not open to your login." in english.text
    assert "<p>The admin role may not open this page.</p>" in english.text
    assert "<details>" not in english.text  # English readers see the detail as it is
