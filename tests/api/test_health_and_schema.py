from __future__ import annotations

import re

import pytest

from tests.support import Api

CONTRACT_PATHS = {
    "/api/auth/token": {"post"}, "/api/me": {"get"}, "/api/users": {"post"},
    "/api/funds": {"get", "post"}, "/api/funds/{fund}": {"get"},
    "/api/funds/{fund}/accounts": {"get", "post"}, "/api/funds/{fund}/contributions": {"post"},
    "/api/journal": {"get", "post"}, "/api/journal/{entry_id}": {"get"},
    "/api/journal/{entry_id}/reversal": {"post"}, "/api/funds/{fund}/trial-balance": {"get"},
    "/api/audit/verify": {"get"}, "/api/people": {"post"}, "/api/people/{person_id}": {"get"},
    "/health": {"get"}, "/ready": {"get"},
    "/api/people/{person_id}/course-completions": {"post"},
    "/api/people/{person_id}/credits": {"get"}, "/api/policies": {"get"},
    "/api/policies/{policy_id}": {"get"}, "/api/policies/{policy_id}/evaluate": {"post"},
    "/api/courses": {"get"}, "/api/loan-products": {"get", "post"},
    "/api/loan-products/{code}/quote": {"post"}, "/api/loans": {"get", "post"},
    "/api/loans/{loan_id}": {"get"}, "/api/me/loans": {"get"},
    "/api/loans/{loan_id}/approvals": {"post"}, "/api/loans/{loan_id}/rejection": {"post"},
    "/api/loans/{loan_id}/cancellation": {"post"}, "/api/loans/{loan_id}/disbursement": {"post"},
    "/api/loans/{loan_id}/schedule": {"get"}, "/api/loans/{loan_id}/repayments": {"post"},
    "/api/loans/{loan_id}/payoff": {"get"}, "/api/loans/{loan_id}/write-off": {"post"},
    "/api/grant-programs": {"get", "post"}, "/api/grants": {"post"},
    "/api/grants/{grant_id}": {"get"}, "/api/grants/{grant_id}/approvals": {"post"},
    "/api/grants/{grant_id}/rejection": {"post"}, "/api/grants/{grant_id}/cancellation": {"post"},
    "/api/grants/{grant_id}/disbursement": {"post"},
}


def test_health_and_ready_need_no_token(api: Api) -> None:
    assert api.get("/health", role=None).json() == {"status": "ok"}
    ready = api.get("/ready", role=None)
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


def test_schema_documents_every_endpoint_with_types_and_error_codes(api: Api) -> None:
    schema = api.get("/schema/openapi.json", role=None).json()
    for path, methods in CONTRACT_PATHS.items():
        assert path in schema["paths"], path
        for method in methods:
            operation = schema["paths"][path][method]
            codes = set(operation["responses"])
            assert codes & {"200", "201"}, (path, method, codes)
            if path.startswith("/api/") and path != "/api/auth/token":
                assert "401" in codes, (path, method)
    journal_post = schema["paths"]["/api/journal"]["post"]
    assert {"400", "401", "403", "409", "422"} <= set(journal_post["responses"])
    assert "requestBody" in journal_post
    headers = [parameter["name"] for parameter in journal_post["parameters"]]
    assert "Idempotency-Key" in headers
    assert "JournalEntryOut" in str(journal_post["responses"]["201"])
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


def test_unknown_paths_and_methods_are_problem_details(api: Api) -> None:
    from tests.support import assert_problem

    assert_problem(api.get("/api/nothing-here"), 404)
    assert_problem(api.call("DELETE", "/api/funds"), 405)


MONEY_MOVING = {
    ("/api/funds/{fund}/contributions", "post"), ("/api/journal", "post"),
    ("/api/journal/{entry_id}/reversal", "post"), ("/api/loans/{loan_id}/disbursement", "post"),
    ("/api/loans/{loan_id}/repayments", "post"), ("/api/loans/{loan_id}/write-off", "post"),
    ("/api/grants/{grant_id}/disbursement", "post"),
}


def test_schema_says_which_operations_need_an_idempotency_key(api: Api) -> None:
    schema = api.get("/schema/openapi.json", role=None).json()
    required = set()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "Idempotency-Key" and parameter["required"]:
                    required.add((path, method))
    assert required == MONEY_MOVING


def test_schema_says_which_operations_need_no_token(api: Api) -> None:
    schema = api.get("/schema/openapi.json", role=None).json()
    public = {(path, method) for path, item in schema["paths"].items()
              for method, operation in item.items() if operation.get("security") == []}
    assert public == {("/health", "get"), ("/ready", "get"), ("/api/auth/token", "post")}
    assert schema["security"] == [{"BearerToken": []}]


@pytest.mark.parametrize("page", ["/schema", "/schema/swagger", "/schema/redoc"])
def test_api_description_pages_load_nothing_from_outside(api: Api, page: str) -> None:
    response = api.get(page, role=None)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert re.findall(r"https?://", response.text) == []
    assets = re.findall(r"(?:src|href)=[\"'](/static/[^\"']+)", response.text)
    assert assets, response.text
    for asset in assets:
        served = api.get(asset, role=None)
        assert served.status_code == 200, asset
        assert served.headers["content-type"].split(";")[0] in {"text/javascript",
                                                                "text/css"}
        assert len(served.content) > 10_000


def test_static_files_stay_inside_their_folder(api: Api) -> None:
    assert api.get("/static/../settings.py", role=None).status_code == 404
    assert api.get("/static/redoc/%2e%2e/%2e%2e/app.py", role=None).status_code == 404
