"""Recompute a fund's hash chain from general-ledger.csv alone (Python 3.9+, standard
library only). Shipped in every audit package; run it in the unpacked folder:

    python3 verify_chain.py [general-ledger.csv] [checkpoint.json]

Each entry's hash is sha256(prev_hash + "\\n" + canonical), where canonical is the entry as
JSON without its hash: keys sorted, no spaces, characters kept as they are (README.txt
lists the fields). The script recomputes every hash, checks that each entry's prev_hash is
the hash of the entry before it wherever the two are consecutive, that debits equal
credits, and, when checkpoint.json is there and its entry is in the file, that the chain
reaches the signed head. It prints OK, or the first seq that is wrong and why, and exits
with 0 or 1.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any


def canonical(rows: list[dict[str, str]]) -> str:
    first = rows[0]
    document: dict[str, Any] = {
        "id": first["entry_id"],
        "fund": first["fund"],
        "currency": first["currency"],
        "seq": int(first["seq"]),
        "date": first["date"],
        "memo": first["memo"],
        "lines": [{"account": row["account"], "debit": row["debit"], "credit": row["credit"],
                   "memo": row["line_memo"] or None} for row in rows],
        "created_by": first["created_by"],
        "created_at": first["created_at"],
        "reverses": first["reverses"] or None,
        "source": ({"kind": first["source_kind"], "id": first["source_id"]}
                   if first["source_kind"] else None),
        "prev_hash": first["prev_hash"],
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entries(path: Path) -> list[list[dict[str, str]]]:
    """The CSV's rows grouped by entry, in the file's order."""
    grouped: list[list[dict[str, str]]] = []
    with path.open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if grouped and grouped[-1][0]["seq"] == row["seq"]:
                grouped[-1].append(row)
            else:
                grouped.append([row])
    return grouped


_ENTRY_COLUMNS = ("fund", "currency", "entry_id", "date", "memo", "reverses", "source_kind",
                  "source_id", "created_by", "created_at", "prev_hash", "hash")


def fault(rows: list[dict[str, str]], previous: dict[str, str] | None) -> str | None:
    """Why this entry does not hold, or None when it does."""
    first = rows[0]
    if any(row[column] != first[column] for row in rows for column in _ENTRY_COLUMNS):
        return "its lines disagree about the entry they belong to"
    if previous is not None and int(previous["seq"]) + 1 == int(first["seq"]) \
            and first["prev_hash"] != previous["hash"]:
        return f"prev_hash is not the hash of entry {previous['seq']}"
    recomputed = hashlib.sha256(f"{first['prev_hash']}\n{canonical(rows)}".encode()).hexdigest()
    if recomputed != first["hash"]:
        return "hash does not match the entry's content (recomputed " + recomputed + ")"
    debits = sum(Decimal(row["debit"]) for row in rows)
    credits = sum(Decimal(row["credit"]) for row in rows)
    if debits != credits:
        return f"debits {debits} and credits {credits} differ"
    return None


def main(arguments: list[str]) -> int:
    ledger = Path(arguments[0] if arguments else "general-ledger.csv")
    checkpoint_path = Path(arguments[1] if len(arguments) > 1 else "checkpoint.json")
    grouped = entries(ledger)
    previous: dict[str, str] | None = None
    hashes: dict[int, str] = {}
    gaps: list[str] = []
    for rows in grouped:
        reason = fault(rows, previous)
        if reason is not None:
            print(f"WRONG at seq {rows[0]['seq']}: {reason}")
            return 1
        if previous is not None and int(previous["seq"]) + 1 != int(rows[0]["seq"]):
            gaps.append(f"{int(previous['seq']) + 1}-{int(rows[0]['seq']) - 1}")
        previous = rows[0]
        hashes[int(previous["seq"])] = previous["hash"]
    if checkpoint_path.exists():
        checkpoint = json.loads(checkpoint_path.read_text(encoding="utf-8"))
        signed = hashes.get(int(checkpoint["seq"]))
        if signed is not None and signed != checkpoint["hash"]:
            print(f"WRONG at seq {checkpoint['seq']}: the checkpoint signed hash "
                  f"{checkpoint['hash']}, the file holds {signed}")
            return 1
    if previous is None:
        print("OK: the file holds no entries")
        return 0
    print(f"OK: {len(grouped)} entries, seq {grouped[0][0]['seq']} to {previous['seq']}, "
          f"every hash recomputed; last hash {previous['hash']}"
          + (f"; not in this file (dated outside its period): seq {', '.join(gaps)}"
             if gaps else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
