"""A batch's outcome as its response: each item's result in order, the response an
accepted item got (as the single request would have) or the problem a refused one did."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response

from aidledger.api.errors import problem_of
from aidledger.services.batches import BatchMode, ItemOutcome


def batch_response(mode: BatchMode, outcomes: list[ItemOutcome], field: str,
                   out: type[msgspec.Struct], result: type[msgspec.Struct]) -> Response[Any]:
    """201 for an atomic batch (every item was written or replayed); 200 for an
    independent one, whose items each carry their own status.

    An accepted item's result is the body stored for its key, as it stands: byte for byte
    what the single request answers and what a replay hands back (`msgspec.Raw`, so a
    thousand bodies are not decoded only to be encoded again)."""
    results = []
    for outcome in outcomes:
        if outcome.response is not None:
            results.append(result(index=outcome.index, status=outcome.response.status,
                                  replayed=outcome.response.replayed, problem=None,
                                  **{field: msgspec.Raw(outcome.response.body.encode())}))
        else:
            assert outcome.refusal is not None
            refused = problem_of(outcome.refusal)
            results.append(result(index=outcome.index, status=refused.status, replayed=False,
                                  problem=refused, **{field: None}))
    return Response(out(mode=mode.value, results=results),
                    status_code=201 if mode is BatchMode.ATOMIC else 200)
