"""Audit checkpoints: a fund's chain head, signed, to hold today's books against later.

The hash chain shows any change inside the books, but not books rewritten whole: whoever
can write the database can append a correctly hashed entry, rewrite an entry and re-chain
everything after it, or delete the newest entries. A checkpoint signed by a key kept
outside the database fixes the head as it was at a moment; if the chain no longer
contains that entry with that hash, the books were changed after the checkpoint.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

SIGNED_PREFIX = b"aidledger checkpoint v1\n"
HASH_PATTERN = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    fund: str  # the fund's code
    seq: int  # 0 for a fund with no entries yet
    hash: str
    at: str  # RFC 3339 UTC
    key_id: str


def signed_message(checkpoint: Checkpoint) -> bytes:
    """The exact bytes the signature covers: a fixed prefix (so no other signed message
    can pass for a checkpoint) and the fields as sorted, compact JSON."""
    fields = {"fund": checkpoint.fund, "seq": checkpoint.seq, "hash": checkpoint.hash,
              "at": checkpoint.at, "key_id": checkpoint.key_id}
    return SIGNED_PREFIX + json.dumps(fields, sort_keys=True, separators=(",", ":"),
                                      ensure_ascii=False).encode()


def holds_against(checkpoint: Checkpoint, hash_at_seq: str | None) -> str | None:
    """Why the checkpoint no longer holds, given the hash the chain has today at its seq
    (None when the chain is shorter), or None when it holds."""
    if hash_at_seq is None:
        return (f"the chain no longer reaches entry {checkpoint.seq}: entries were removed "
                "after the checkpoint was taken")
    if hash_at_seq != checkpoint.hash:
        return (f"entry {checkpoint.seq} has another hash than at the checkpoint: the books "
                "up to it were rewritten")
    return None
