"""Policies (read and dry-run) and the course catalogue."""

from __future__ import annotations

from litestar import get, post
from litestar.params import FromPath, JSONBody

from aidledger.api.auth import ADMIN, ADMIN_OR_AUDITOR, ANY_ROLE
from aidledger.api.openapi import responses
from aidledger.api.parameters import Context
from aidledger.contract.policies import (
    CourseList,
    DecisionOut,
    PolicyEvaluation,
    PolicyList,
    PolicyOut,
)
from aidledger.services import policies


@get("/api/policies", guards=[ADMIN_OR_AUDITOR], responses=responses(200, PolicyList, 401, 403))
async def list_policies(context: Context) -> PolicyList:
    """Every policy with the version in force today."""
    return policies.list_policies(context)


@get("/api/policies/{policy_id:str}", guards=[ADMIN_OR_AUDITOR],
     responses=responses(200, PolicyOut, 401, 403, 404))
async def get_policy(context: Context, policy_id: FromPath[str]) -> PolicyOut:
    """The whole policy: every version and rule, and the file's sha256."""
    return policies.get_policy(context, policy_id)


@post("/api/policies/{policy_id:str}/evaluate", status_code=200, guards=[ADMIN],
      responses=responses(200, DecisionOut, 400, 401, 403, 404, 422))
async def evaluate(context: Context, policy_id: FromPath[str],
                   data: JSONBody[PolicyEvaluation]) -> DecisionOut:
    """Decide on the facts given, as of a date (default today). Stores nothing."""
    return policies.evaluate(context, policy_id, data.facts, data.as_of)


@get("/api/courses", guards=[ANY_ROLE], responses=responses(200, CourseList, 401))
async def list_courses(context: Context) -> CourseList:
    """The financial-literacy course catalogue in force today."""
    return policies.list_courses(context)


ROUTES = [list_policies, get_policy, evaluate, list_courses]
