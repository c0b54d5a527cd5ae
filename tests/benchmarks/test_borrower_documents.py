"""Borrower documents: one key facts statement's render time, and a hundred statements in
a row from one server process without its memory growing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.benchmarks.processes import resident_kb
from tests.reports.books import Books, make_books
from tests.support import Api


@pytest.fixture(scope="module")
def books(api: Api) -> Books:
    return make_books(api)


@pytest.mark.parametrize("language", ["en", "zh-Hant", "ne"])
def test_key_facts_statement(benchmark: Any, books: Books, server: tuple[httpx.Client, int],
                             language: str) -> None:
    client, _ = server
    path = f"/api/loans/{books.loans['late-10']}/key-facts.pdf"
    client.get(path, params={"lang": language})  # fonts and catalogue loaded
    response = benchmark(client.get, path, params={"lang": language})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_hundred_statements_in_a_row(benchmark: Any, books: Books,
                                       server: tuple[httpx.Client, int]) -> None:
    client, pid = server
    path = f"/api/loans/{books.loans['late-10']}/statement.pdf"
    for _ in range(10):  # warm: every cache the process keeps is filled
        assert client.get(path, params={"lang": "vi"}).status_code == 200
    before = resident_kb(pid, "VmRSS")

    def hundred() -> None:
        for _ in range(100):
            assert client.get(path, params={"lang": "vi"}).status_code == 200

    benchmark.pedantic(hundred, rounds=1, iterations=1)
    after = resident_kb(pid, "VmRSS")
    benchmark.extra_info.update({"rss_before_mb": round(before / 1024),
                                 "rss_after_mb": round(after / 1024)})
    assert after - before < 15 * 1024, f"grew {(after - before) // 1024} MB over 100"
