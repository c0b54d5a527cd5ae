"""Property-based fuzzing of every operation in the published OpenAPI description
(schemathesis, valid and invalid data), as an admin: no request may get a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.schemas import APIOperation

from aidledger.api.app import create_app
from tests.support import Api

# Building the app reads no database, so the schema is known when tests are collected.
SCHEMA = schemathesis.openapi.from_dict(create_app().openapi_schema.to_schema())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
EXAMPLES_PER_MODE = 25


def _takes_input(operation: APIOperation) -> bool:
    definition = operation.definition.raw
    return bool(definition.get("parameters") or definition.get("requestBody"))


# An operation that takes no input has no invalid input to be sent (GET /health).
CASES = [(operation, mode) for operation in OPERATIONS
         for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if mode is GenerationMode.POSITIVE or _takes_input(operation)]


def _send(api: Api, kwargs: dict[str, Any]) -> int:
    body = {key: kwargs[key] for key in ("json",) if key in kwargs}
    if "data" in kwargs:
        data = kwargs["data"]
        body["content"] = data if isinstance(data, bytes) else str(data).encode()
    url = kwargs["url"].removeprefix("http://testserver.local")
    response = api.client.request(kwargs["method"], url, params=kwargs.get("params"),
                                  headers=kwargs.get("headers"), **body)
    return response.status_code


@pytest.mark.parametrize(("operation", "mode"), CASES,
                         ids=[f"{mode.value}-{operation.method.upper()} {operation.path}"
                              for operation, mode in CASES])
def test_no_operation_answers_5xx(api: Api, operation: APIOperation,
                                  mode: GenerationMode) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['admin']}"}
    failures: list[str] = []

    @settings(max_examples=EXAMPLES_PER_MODE, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case: schemathesis.Case) -> None:
        kwargs = case.as_transport_kwargs(base_url="http://testserver.local", headers=headers)
        status = _send(api, kwargs)
        if status >= 500:
            failures.append(f"{status} for {kwargs}")

    fuzz()
    assert failures == []
