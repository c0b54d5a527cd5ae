"""Signed checkpoints catch what the hash chain alone cannot: an insider with full rights
on the database who deletes the newest entries or rewrites an entry and re-chains the rest
so that `verify` finds every hash consistent."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from aidledger.domain.ledger import chain_hash
from tests.support import Api, as_database_owner, assert_problem


def _spend(api: Api, fund: str, amount: str, memo: str = "Spend") -> dict[str, Any]:
    response = api.entry(fund, [("5000", "debit", amount), ("1000", "credit", amount)],
                         memo=memo)
    assert response.status_code == 201, response.text
    entry: dict[str, Any] = response.json()
    return entry


def _checkpoint(api: Api, fund: str) -> dict[str, Any]:
    response = api.get("/api/audit/checkpoint", params={"fund": fund}, role="auditor")
    assert response.status_code == 200, response.text
    checkpoint: dict[str, Any] = response.json()
    return checkpoint


def _check(api: Api, checkpoint: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/api/audit/verify-checkpoint", checkpoint, role="auditor", key=None)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_checkpoint_is_the_signed_head_and_holds_while_the_books_only_grow(
        api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    last = _spend(api, fund, "1.00")
    checkpoint = _checkpoint(api, fund)
    assert set(checkpoint) == {"fund", "seq", "hash", "at", "key_id", "signature"}
    assert (checkpoint["fund"], checkpoint["seq"], checkpoint["hash"]) == (fund, 2,
                                                                          last["hash"])
    assert checkpoint["key_id"].startswith("ed25519:")
    assert len(base64.b64decode(checkpoint["signature"])) == 64
    _spend(api, fund, "2.00")
    assert _check(api, checkpoint) == {"ok": True, "reason": None}
    empty = api.new_fund()
    genesis = _checkpoint(api, empty)
    assert (genesis["seq"], genesis["hash"]) == (0, "0" * 64)
    assert _check(api, genesis)["ok"] is True


def test_a_deleted_newest_entry_is_caught_by_an_earlier_checkpoint(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    fund_id = api.get(f"/api/funds/{fund}").json()["id"]
    kept = _spend(api, fund, "1.00")
    newest = _spend(api, fund, "2.00")
    checkpoint = _checkpoint(api, fund)
    # Remove the entry and every trace of it, so that the books agree with themselves.
    as_database_owner(
        f"DELETE FROM journal_line WHERE entry_id = '{newest['id']}'",
        f"DELETE FROM journal_entry WHERE id = '{newest['id']}'",
        f"UPDATE fund SET last_seq = 2, last_hash = '{kept['hash']}' WHERE id = '{fund_id}'",
        f"UPDATE account SET balance = balance + 200 WHERE fund_id = '{fund_id}' "
        "AND code = '1000'",
        f"UPDATE account SET balance = balance - 200 WHERE fund_id = '{fund_id}' "
        "AND code = '5000'",
        "UPDATE account_day SET credit = credit - 200 WHERE account_id = (SELECT id FROM "
        f"account WHERE fund_id = '{fund_id}' AND code = '1000')",
        "UPDATE account_day SET debit = debit - 200 WHERE account_id = (SELECT id FROM "
        f"account WHERE fund_id = '{fund_id}' AND code = '5000')",
    )
    assert api.verify(fund)["ok"] is True  # the chain alone cannot tell
    result = _check(api, checkpoint)
    assert result["ok"] is False
    assert "no longer reaches entry 3" in result["reason"]


def _canonical(document: dict[str, Any]) -> str:
    return json.dumps({key: value for key, value in document.items()
                       if key not in ("hash", "reversed_by")},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_a_rewritten_and_rechained_entry_is_caught_by_an_earlier_checkpoint(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    fund_id = api.get(f"/api/funds/{fund}").json()["id"]
    for memo in ("Rent", "Clinic", "Food"):
        _spend(api, fund, "1.00", memo)
    checkpoint = _checkpoint(api, fund)
    entries = api.get("/api/journal", params={"fund": fund}).json()["items"]
    # The insider changes entry 3's memo and recomputes every hash from there on.
    statements, prev_hash = [], entries[1]["hash"]
    for document in entries[2:]:
        document = {**document, "prev_hash": prev_hash}
        if document["seq"] == 3:
            document["memo"] = "Clinic (private)"
        new_hash = chain_hash(prev_hash, _canonical(document))
        statements.append(f"UPDATE journal_entry SET memo = '{document['memo']}', prev_hash "
                          f"= '{prev_hash}', hash = '{new_hash}' WHERE id = '{document['id']}'")
        prev_hash = new_hash
    statements.append(f"UPDATE fund SET last_hash = '{prev_hash}' WHERE id = '{fund_id}'")
    as_database_owner(*statements)
    assert api.verify(fund)["ok"] is True  # every hash agrees with the rewritten books
    result = _check(api, checkpoint)
    assert result["ok"] is False
    assert "entry 4 has another hash" in result["reason"]


def test_a_wrong_or_altered_signature_does_not_hold(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    checkpoint = _checkpoint(api, fund)
    signature = bytearray(base64.b64decode(checkpoint["signature"]))
    signature[0] ^= 1
    forged = {**checkpoint, "signature": base64.b64encode(bytes(signature)).decode()}
    assert _check(api, forged) == {"ok": False,
                                   "reason": "the signature does not match the checkpoint"}
    moved = {**checkpoint, "seq": 0, "hash": "0" * 64}
    assert _check(api, moved)["ok"] is False
    assert _check(api, {**checkpoint, "signature": "not base64!"})["ok"] is False
    other_key = {**checkpoint, "key_id": "ed25519:" + hashlib.sha256(b"x").hexdigest()[:16]}
    assert "not by this service's key" in _check(api, other_key)["reason"]
    assert _check(api, checkpoint)["ok"] is True


def test_checkpoint_refusals(api: Api) -> None:
    fund = api.new_fund()
    checkpoint = _checkpoint(api, fund)
    for role in ("borrower",):
        assert_problem(api.get("/api/audit/checkpoint", params={"fund": fund}, role=role), 403)
        assert_problem(api.post("/api/audit/verify-checkpoint", checkpoint, role=role,
                                key=None), 403)
    assert_problem(api.get("/api/audit/checkpoint"), 400, "fund")
    assert_problem(api.get("/api/audit/checkpoint", params={"fund": "no-such"}), 404)
    assert_problem(api.post("/api/audit/verify-checkpoint", {**checkpoint, "hash": "zz"},
                            key=None), 400, "hash")
    assert_problem(api.post("/api/audit/verify-checkpoint", {**checkpoint, "seq": -1},
                            key=None), 400, "seq")
    unknown = api.post("/api/audit/verify-checkpoint", {**checkpoint, "fund": "gone"},
                       key=None)
    assert unknown.status_code == 200 and unknown.json()["ok"] is False


def _cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aidledger.cli", *arguments],
                          capture_output=True, text=True, env=os.environ, check=False,
                          timeout=60)


def test_the_cli_takes_checkpoints_and_names_the_first_that_no_longer_holds(
        api: Api, tmp_path: Path) -> None:
    fund = api.new_fund(contribution="100.00")
    fund_id = api.get(f"/api/funds/{fund}").json()["id"]
    kept = _spend(api, fund, "1.00")
    early = _cli("checkpoint", "--fund", fund)
    assert early.returncode == 0, early.stderr
    newest = _spend(api, fund, "2.00")
    late = _cli("checkpoint", "--fund", fund)
    assert json.loads(late.stdout)["seq"] == 3
    checkpoints = tmp_path / "checkpoints.jsonl"
    checkpoints.write_text(early.stdout + late.stdout)
    holding = _cli("verify", "--fund", fund, "--checkpoints", str(checkpoints))
    assert holding.returncode == 0, holding.stdout + holding.stderr
    assert "checkpoint on line 2: fund" in holding.stdout
    as_database_owner(
        f"DELETE FROM journal_line WHERE entry_id = '{newest['id']}'",
        f"DELETE FROM journal_entry WHERE id = '{newest['id']}'",
        f"UPDATE fund SET last_seq = 2, last_hash = '{kept['hash']}' WHERE id = '{fund_id}'",
    )
    broken = _cli("verify", "--fund", fund, "--checkpoints", str(checkpoints))
    assert broken.returncode == 1
    assert "ok   checkpoint on line 1" in broken.stdout
    assert f"FAIL checkpoint on line 2 (fund {fund} seq 3): the chain no longer reaches " \
           "entry 3" in broken.stdout
    checkpoints.write_text("{not json\n")
    assert "line 1: not a checkpoint" in _cli("verify", "--fund", fund, "--checkpoints",
                                              str(checkpoints)).stdout
