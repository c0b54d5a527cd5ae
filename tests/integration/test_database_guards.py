"""The database itself refuses what the code promises never to do (defence in depth)."""

from __future__ import annotations

import uuid

import pytest

from tests.support import Api, Refused, assert_problem, entry_insert_sql, on_postgres, raw_sql


def _fund_with_entry(api: Api) -> tuple[str, str, str]:
    fund = api.new_fund(contribution="500.00")
    entry = api.get("/api/journal", params={"fund": fund}).json()["items"][0]
    fund_id = api.get(f"/api/funds/{fund}").json()["id"]
    return fund, fund_id, entry["id"]


def _account_id(fund_id: str, code: str) -> int:
    rows = raw_sql(f"SELECT id FROM account WHERE fund_id = '{fund_id}' AND code = '{code}'")
    return int(rows[0][0][0])


def _head(fund_id: str) -> tuple[int, str]:
    row = raw_sql(f"SELECT last_seq, last_hash FROM fund WHERE id = '{fund_id}'")[0][0]
    return int(row[0]), str(row[1])


@pytest.mark.parametrize("statement", [
    "UPDATE journal_line SET debit = debit + 1 WHERE entry_id = '{entry}' AND debit > 0",
    "DELETE FROM journal_line WHERE entry_id = '{entry}'",
    "UPDATE journal_entry SET memo = 'edited' WHERE id = '{entry}'",
    "DELETE FROM journal_entry WHERE id = '{entry}'",
    "DELETE FROM audit_event WHERE subject_id = '{entry}'",
    "UPDATE audit_event SET actor = 'someone else' WHERE subject_id = '{entry}'",
])
def test_entries_lines_and_audit_are_append_only(api: Api, statement: str) -> None:
    fund, _, entry = _fund_with_entry(api)
    with pytest.raises(Refused, match="append-only"):
        raw_sql(statement.format(entry=entry))
    assert api.verify(fund)["ok"] is True


def test_an_unbalanced_entry_inserted_with_raw_sql_is_refused(api: Api) -> None:
    fund, fund_id, _ = _fund_with_entry(api)
    seq, last_hash = _head(fund_id)
    cash, grants = _account_id(fund_id, "1000"), _account_id(fund_id, "5000")
    with pytest.raises(Refused, match="does not balance"):
        raw_sql(*entry_insert_sql(fund_id, seq + 1, last_hash, [(grants, 100, 0), (cash, 0, 90)]))
    with pytest.raises(Refused, match="does not balance"):
        raw_sql(*entry_insert_sql(fund_id, seq + 1, last_hash, [(grants, 100, 0)]))
    assert _head(fund_id) == (seq, last_hash)
    assert api.verify(fund)["ok"] is True


def test_lines_without_their_entry_are_refused(api: Api) -> None:
    """At commit on SQLite (a deferred foreign key); on PostgreSQL at the end of their
    statement, by the line trigger."""
    _, fund_id, _ = _fund_with_entry(api)
    cash, grants = _account_id(fund_id, "1000"), _account_id(fund_id, "5000")
    orphan = str(uuid.uuid4())
    with pytest.raises(Refused, match=r"(?i)foreign key|only be added together with a new entry"):
        raw_sql(f"INSERT INTO journal_line (entry_id, line_no, account_id, debit, credit) "
                f"VALUES ('{orphan}', 1, {grants}, 100, 0), ('{orphan}', 2, {cash}, 0, 100)")
    assert raw_sql(f"SELECT count(*) FROM journal_line WHERE entry_id = '{orphan}'")[0][0][0] == 0


def test_lines_cannot_be_added_to_an_existing_entry(api: Api) -> None:
    _, fund_id, entry = _fund_with_entry(api)
    cash = _account_id(fund_id, "1000")
    with pytest.raises(Refused, match="only be added together with a new entry"):
        raw_sql(f"INSERT INTO journal_line (entry_id, line_no, account_id, debit, credit) "
                f"VALUES ('{entry}', 3, {cash}, 100, 0)")


@pytest.mark.postgres_only
def test_a_statement_adding_an_entry_cannot_add_a_line_to_an_older_one(api: Api) -> None:
    fund, fund_id, older = _fund_with_entry(api)
    seq, last_hash = _head(fund_id)
    cash, grants = _account_id(fund_id, "1000"), _account_id(fund_id, "5000")
    (statement,) = entry_insert_sql(fund_id, seq + 1, last_hash, [(grants, 100, 0),
                                                                   (cash, 0, 100)])
    smuggled = statement.replace(") INSERT INTO journal_entry",
                                 f", ('{older}', 3, {cash}, 100, 0)) INSERT INTO journal_entry")
    with pytest.raises(Refused, match="only be added together with a new entry"):
        raw_sql(smuggled)
    assert _head(fund_id) == (seq, last_hash)
    assert raw_sql(f"SELECT count(*) FROM journal_line WHERE entry_id = '{older}'")[0][0][0] == 2
    raw_sql(statement)  # the same entry without the smuggled line goes in
    assert _head(fund_id)[0] == seq + 1
    assert api.balances(fund)["1000"] == "499.00"


@pytest.mark.postgres_only
def test_lines_in_a_statement_before_their_entrys_are_refused(api: Api) -> None:
    _, fund_id, _ = _fund_with_entry(api)
    seq, last_hash = _head(fund_id)
    cash, grants = _account_id(fund_id, "1000"), _account_id(fund_id, "5000")
    entry_id = str(uuid.uuid4())
    with pytest.raises(Refused, match="in the statement that adds it"):
        raw_sql("INSERT INTO journal_line (entry_id, line_no, account_id, debit, credit) "
                f"VALUES ('{entry_id}', 1, {grants}, 100, 0), ('{entry_id}', 2, {cash}, 0, 100)",
                "INSERT INTO journal_entry (id, fund_id, seq, entry_date, memo, created_by, "
                f"created_at, prev_hash, hash) VALUES ('{entry_id}', '{fund_id}', {seq + 1}, "
                f"'2026-11-01', 'raw', 'operator', now(), '{last_hash}', '{'a' * 64}')")
    assert _head(fund_id) == (seq, last_hash)
    assert raw_sql(f"SELECT count(*) FROM journal_line WHERE entry_id = '{entry_id}'")[0][0][0] == 0


def test_a_line_must_name_an_account_that_exists(api: Api) -> None:
    fund, fund_id, _ = _fund_with_entry(api)
    seq, last_hash = _head(fund_id)
    missing = int(raw_sql("SELECT max(id) FROM account")[0][0][0]) + 1000
    # PostgreSQL: by the foreign key of the day total the entry trigger adds the line to.
    with pytest.raises(Refused, match=r"(?i)foreign key"):
        raw_sql(*entry_insert_sql(fund_id, seq + 1, last_hash,
                                  [(missing, 100, 0), (_account_id(fund_id, "1000"), 0, 100)]))
    assert _head(fund_id) == (seq, last_hash)
    assert api.balances(fund)["1000"] == "500.00"


def test_an_entry_must_name_a_fund_that_exists(api: Api) -> None:
    """By its lines: each names an account of the entry's own fund."""
    _, fund_id, _ = _fund_with_entry(api)
    seq, last_hash = _head(fund_id)
    cash, grants = _account_id(fund_id, "1000"), _account_id(fund_id, "5000")
    with pytest.raises(Refused, match="another fund"):
        raw_sql(*entry_insert_sql(str(uuid.uuid4()), 1, "0" * 64,
                                  [(grants, 100, 0), (cash, 0, 100)]))
    assert _head(fund_id) == (seq, last_hash)


def test_an_account_id_never_changes(api: Api) -> None:
    """Lines point at their account by id; so do its day totals, whose foreign key holds
    it on PostgreSQL. (There an identity column may be set only to DEFAULT, a new
    number.)"""
    fund, fund_id, _ = _fund_with_entry(api)
    cash = _account_id(fund_id, "1000")
    new_id = "DEFAULT" if on_postgres() else "id + 100000"
    with pytest.raises(Refused, match=r"(?i)foreign key"):
        raw_sql(f"UPDATE account SET id = {new_id} WHERE id = {cash}")
    assert _account_id(fund_id, "1000") == cash
    assert api.verify(fund)["ok"] is True


def test_a_line_must_have_exactly_one_positive_side(api: Api) -> None:
    _, fund_id, _ = _fund_with_entry(api)
    seq, last_hash = _head(fund_id)
    cash, grants = _account_id(fund_id, "1000"), _account_id(fund_id, "5000")
    with pytest.raises(Refused, match="one_side_positive"):
        raw_sql(*entry_insert_sql(fund_id, seq + 1, last_hash,
                                   [(grants, 100, 100), (cash, 0, 0)]))


def test_the_chain_cannot_skip_or_repeat_a_seq_or_break_prev_hash(api: Api) -> None:
    _, fund_id, _ = _fund_with_entry(api)
    seq, last_hash = _head(fund_id)
    cash, grants = _account_id(fund_id, "1000"), _account_id(fund_id, "5000")
    lines = [(grants, 100, 0), (cash, 0, 100)]
    for bad_seq, bad_prev in ((seq + 2, last_hash), (seq, last_hash), (seq + 1, "b" * 64)):
        with pytest.raises(Refused, match=r"continue the chain|UNIQUE|unique"):
            raw_sql(*entry_insert_sql(fund_id, bad_seq, bad_prev, lines))
    with pytest.raises(Refused, match="chain head"):
        raw_sql(f"UPDATE fund SET last_seq = last_seq + 5 WHERE id = '{fund_id}'")
    # One step to an entry that does not exist is refused too.
    with pytest.raises(Refused, match="chain head"):
        raw_sql(f"UPDATE fund SET last_seq = last_seq + 1, last_hash = '{'c' * 64}' "
                f"WHERE id = '{fund_id}'")
    assert _head(fund_id) == (seq, last_hash)


def test_cash_cannot_go_below_zero_even_for_raw_sql(api: Api) -> None:
    fund, fund_id, _ = _fund_with_entry(api)
    seq, last_hash = _head(fund_id)
    cash, grants = _account_id(fund_id, "1000"), _account_id(fund_id, "5000")
    # Refused by the reservation trigger or, beneath it, the CHECK constraint.
    with pytest.raises(Refused, match=r"cash_not_negative|cash may not fall below"):
        raw_sql(*entry_insert_sql(fund_id, seq + 1, last_hash,
                                   [(grants, 50001, 0), (cash, 0, 50001)]))
    assert api.balances(fund)["1000"] == "500.00"


def test_a_line_may_not_name_another_funds_account(api: Api) -> None:
    _, fund_id, _ = _fund_with_entry(api)
    _, other_id, _ = _fund_with_entry(api)
    seq, last_hash = _head(fund_id)
    with pytest.raises(Refused, match="another fund"):
        raw_sql(*entry_insert_sql(fund_id, seq + 1, last_hash,
                                   [(_account_id(other_id, "5000"), 100, 0),
                                    (_account_id(fund_id, "1000"), 0, 100)]))


def test_the_database_keeps_running_balances_and_audit_for_every_entry(api: Api) -> None:
    _, fund_id, entry = _fund_with_entry(api)
    balance = raw_sql(f"SELECT balance FROM account WHERE id = {_account_id(fund_id, '1000')}")
    assert balance[0][0][0] == 50000
    events = raw_sql(f"SELECT actor, action FROM audit_event WHERE subject_id = '{entry}'")[0]
    assert events == [("t-admin", "journal_entry.posted")]


def test_engine_under_test_is_the_one_configured() -> None:
    from tests.support import database_url

    assert database_url().startswith("postgresql://" if on_postgres() else "sqlite:///")


def test_reservations_are_held_to_the_cash_by_the_database(api: Api) -> None:
    fund, fund_id, _ = _fund_with_entry(api)  # 500.00 cash
    with pytest.raises(Refused, match="reservations may not exceed the cash"):
        raw_sql(f"UPDATE fund SET reserved = 50001 WHERE id = '{fund_id}'")
    raw_sql(f"UPDATE fund SET reserved = 40000 WHERE id = '{fund_id}'")
    seq, last_hash = _head(fund_id)
    cash, grants = _account_id(fund_id, "1000"), _account_id(fund_id, "5000")
    with pytest.raises(Refused, match="cash may not fall below what approvals reserved"):
        raw_sql(*entry_insert_sql(fund_id, seq + 1, last_hash,
                                   [(grants, 10001, 0), (cash, 0, 10001)]))
    assert_problem(api.entry(fund, [("5000", "debit", "100.01"), ("1000", "credit", "100.01")]),
                   409)
    assert api.entry(fund, [("5000", "debit", "100.00"), ("1000", "credit", "100.00")]
                     ).status_code == 201
    raw_sql(f"UPDATE fund SET reserved = 0 WHERE id = '{fund_id}'")
