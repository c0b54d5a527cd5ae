"""An administrator's approval queue: loan and grant applications awaiting approval, with
the decision's reasons and the approvals so far; approve, reject, disburse, pay, and
record a repayment. Every action is the same service call the JSON API makes."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest, HTMXTemplate
from litestar.response import Template

from aidledger.domain.loans import LoanStatus
from aidledger.services import funds, grants, loans, repayments
from aidledger.services.context import Actor, Role
from aidledger.services.idempotency import StoredResponse

from .forms import claim_of, form_of, new_key, text
from .session import context_of, signed_in
from .templating import page_values

_QUEUE_SIZE = 200


async def _queue_values(request: Request[Any, Any, Any], actor: Actor, fund: str | None,
                        message: str | None = None) -> dict[str, object]:
    """The funds to choose from and, for the fund chosen, its cash and reservations and
    what waits."""
    context = context_of(request)
    fund_list = (await funds.list_funds(context, limit=500, cursor=None)).items
    standing, currency = None, None
    waiting: list[object] = []
    waiting_grants: list[object] = []
    if fund is not None:
        chosen = await funds.fund_in_path(context, fund)
        standing, currency = await funds.cash_standing(context, chosen.code), chosen.currency
        waiting = [loan for status in (LoanStatus.PENDING_APPROVAL, LoanStatus.APPROVED,
                                       LoanStatus.ACTIVE)
                   for loan in (await loans.list_loans(
                       context, actor, person=None, status=status.value, limit=_QUEUE_SIZE,
                       cursor=None, fund_id=chosen.id)).items]
        waiting_grants = list(await grants.grants_awaiting(context, chosen.code, _QUEUE_SIZE))
    return page_values(
        actor=actor, fund=fund, loans=waiting, grants=waiting_grants, funds=fund_list,
        standing=standing, currency=currency,
        today=context.clock.today().isoformat(), new_key=new_key, message=message)


@get("/queue", include_in_schema=False)
async def queue_page(request: HTMXRequest, fund: FromQuery[str | None] = None) -> Template:
    actor = await signed_in(request, Role.ADMIN)
    return Template("queue.html", context=await _queue_values(request, actor, fund))


async def _after(request: HTMXRequest, actor: Actor, stored: StoredResponse,
                 done: str) -> Response[Any]:
    body = msgspec.json.decode(stored.body)
    message = done if stored.status < 300 else body.get("detail", "Refused")
    if stored.replayed:
        message = f"{done} (this form was sent before: nothing was posted twice)"
    values = await _queue_values(request, actor, request.query_params.get("fund"), message)
    if request.htmx:
        return HTMXTemplate(template_name="queue-items.html", context=values)
    return Template("queue.html", context=values)


@post("/queue/loans/{loan_id:str}/{action:str}", include_in_schema=False)
async def loan_action(request: HTMXRequest, loan_id: FromPath[str],
                      action: FromPath[str]) -> Response[Any]:
    actor = await signed_in(request, Role.ADMIN)
    context, form = context_of(request), await form_of(request)
    claim = claim_of(request, actor, form)
    if action == "approve":
        stored = await loans.approve(context, actor, loan_id, claim, form.get("note") or None)
        done = "Approval recorded."
    elif action == "reject":
        stored = await loans.reject(context, actor, loan_id, claim, text(form, "reason"))
        done = "Application rejected."
    elif action == "disburse":
        stored = await loans.disburse(context, actor, loan_id, claim, text(form, "date"))
        done = "Loan disbursed."
    elif action == "repay":
        stored = await repayments.repay(context, actor, claim, repayments.RepaymentRequest(
            loan_id, text(form, "amount"), text(form, "date")))
        done = "Repayment recorded."
    else:
        return Response("No such action.", status_code=404, media_type="text/plain")
    return await _after(request, actor, stored, done)


@post("/queue/grants/{grant_id:str}/{action:str}", include_in_schema=False)
async def grant_action(request: HTMXRequest, grant_id: FromPath[str],
                       action: FromPath[str]) -> Response[Any]:
    actor = await signed_in(request, Role.ADMIN)
    context, form = context_of(request), await form_of(request)
    claim = claim_of(request, actor, form)
    if action == "approve":
        stored = await grants.approve(context, actor, grant_id, claim,
                                      form.get("note") or None)
        done = "Approval recorded."
    elif action == "reject":
        stored = await grants.reject(context, actor, grant_id, claim, text(form, "reason"))
        done = "Application rejected."
    elif action == "pay":
        stored = await grants.pay(context, actor, grant_id, claim, date_text=text(form, "date"),
                                  method=text(form, "method"),
                                  reference=form.get("reference") or None,
                                  payee=form.get("payee") or None)
        done = "Grant paid."
    else:
        return Response("No such action.", status_code=404, media_type="text/plain")
    return await _after(request, actor, stored, done)


ROUTES = [queue_page, loan_action, grant_action]
