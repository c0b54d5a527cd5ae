from __future__ import annotations

import pytest

from tests.support import Api, assert_problem, raw_sql, unique


def test_a_person_is_registered(api: Api) -> None:
    response = api.post("/api/people", {"full_name": "Nguyễn Thị Hoa", "preferred_language": "vi",
                                        "phone": "+852 5123 4567", "date_of_birth": "1991-04-02",
                                        "id_document": "HK-A123456(7)"})
    assert response.status_code == 201, response.text
    person = response.json()
    assert person["full_name"] == "Nguyễn Thị Hoa" and person["preferred_language"] == "vi"
    assert person["id_document_last4"] == "6(7)"
    assert api.get(f"/api/people/{person['id']}", role="auditor").json() == person
    stored = raw_sql(f"SELECT id_document_hash FROM person WHERE id = '{person['id']}'")[0][0][0]
    assert "A123456" not in stored and len(stored) == 64


def test_an_identity_document_on_file_is_409_naming_the_person(api: Api) -> None:
    document = f"P{unique('doc')}".upper()
    first = api.post("/api/people", {"full_name": "Ana", "preferred_language": "es",
                                     "id_document": document}).json()
    # The same number typed with other spacing and case is the same document.
    retyped = " ".join(document.lower())
    duplicate = api.post("/api/people", {"full_name": "Ana R.", "preferred_language": "es",
                                         "id_document": retyped})
    assert_problem(duplicate, 409, "id_document")
    assert duplicate.json()["existing_person_id"] == first["id"]
    assert first["id"] in duplicate.json()["detail"]


@pytest.mark.parametrize(("change", "field"), [
    ({"preferred_language": "klingon!"}, "preferred_language"),
    ({"preferred_language": "xx"}, "preferred_language"),
    ({"phone": "call me"}, "phone"),
    ({"date_of_birth": "1990-02-30"}, "date_of_birth"),
    ({"full_name": ""}, "full_name"),
])
def test_bad_person_input_names_the_field(api: Api, change: dict[str, str], field: str) -> None:
    body = {"full_name": "Someone", "preferred_language": "en", **change}
    assert_problem(api.post("/api/people", body), 400, field)


@pytest.mark.parametrize("language", ["en", "zh-Hans", "zh-Hant", "tl", "id", "ne", "es"])
def test_the_languages_our_borrowers_read_are_accepted(api: Api, language: str) -> None:
    assert api.post("/api/people", {"full_name": "X", "preferred_language": language}
                    ).status_code == 201


def test_future_birth_dates_are_a_rule_violation(api: Api) -> None:
    assert_problem(api.post("/api/people", {"full_name": "X", "preferred_language": "en",
                                            "date_of_birth": "2999-01-01"}), 422, "date_of_birth")


def test_borrowers_see_themselves_only(api: Api) -> None:
    own = api.get(f"/api/people/{api.people['borrower']}", role="borrower")
    assert own.status_code == 200 and own.json()["id"] == api.people["borrower"]
    assert_problem(api.get(f"/api/people/{api.people['borrower2']}", role="borrower"), 404)
    assert_problem(api.get("/api/people/no-such-person", role="borrower"), 404)
    assert_problem(api.get("/api/people/no-such-person"), 404)
    assert_problem(api.post("/api/people", {"full_name": "X", "preferred_language": "en"},
                            role="borrower"), 403)
    assert_problem(api.post("/api/people", {"full_name": "X", "preferred_language": "en"},
                            role="auditor"), 403)


def test_every_state_change_leaves_an_audit_event(api: Api) -> None:
    fund = api.new_fund(contribution="10.00")
    fund_id = api.get(f"/api/funds/{fund}").json()["id"]
    entry = api.get("/api/journal", params={"fund": fund}).json()["items"][0]
    person = api.post("/api/people", {"full_name": "Audited", "preferred_language": "en"}).json()
    api.post(f"/api/funds/{fund}/accounts", {"code": "5200", "name": "Classes",
                                             "type": "expense"})

    def events(kind: str, subject: str) -> list[dict[str, object]]:
        response = api.get("/api/audit/events", params={"subject_kind": kind,
                                                        "subject_id": subject}, role="auditor")
        assert response.status_code == 200
        items: list[dict[str, object]] = response.json()["items"]
        return items

    (created,) = events("fund", fund_id)
    assert created["action"] == "fund.created" and created["actor"] == "t-admin"
    assert created["after"]["code"] == fund and created["before"] is None  # type: ignore[index]
    (posted,) = events("journal_entry", entry["id"])
    assert posted["action"] == "journal_entry.posted" and posted["fund"] == fund
    assert posted["after"] == {"seq": 1, "hash": entry["hash"]}
    assert events("person", person["id"])[0]["action"] == "person.created"
    assert events("account", f"{fund}/5200")[0]["action"] == "account.created"
    assert_problem(api.get("/api/audit/events", role="borrower"), 403)
    assert_problem(api.get("/api/audit/events", params={"limit": 0}), 400, "limit")
