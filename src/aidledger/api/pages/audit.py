"""An auditor's desk: every report as a download, the audit package, the books verified,
and a signed checkpoint to keep."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest, HTMXTemplate
from litestar.response import Stream, Template

from aidledger.reports.catalog import render
from aidledger.reports.output import REPORTS
from aidledger.services import checkpoints, funds
from aidledger.services.context import Role
from aidledger.services.verification import verify_fund

from .session import context_of, signed_in
from .templating import page_values

_STAFF = (Role.AUDITOR, Role.ADMIN)


@get("/audit", include_in_schema=False)
async def audit_page(request: Request[Any, Any, Any],
                     fund: FromQuery[str | None] = None) -> Template:
    """One fund at a time, chosen from one list (with hundreds of funds, a section each
    put most of them out of reach); a fund named in `fund` is shown even beyond the list."""
    actor = await signed_in(request, *_STAFF)
    context = context_of(request)
    today = context.clock.today()
    fund_list = (await funds.list_funds(context, limit=500, cursor=None)).items
    chosen = (await funds.get_fund(context, fund) if fund is not None
              else fund_list[0] if len(fund_list) == 1 else None)
    if chosen is not None and all(item.code != chosen.code for item in fund_list):
        fund_list = [chosen, *fund_list]
    return Template("audit.html", context=page_values(
        actor=actor, funds=fund_list, chosen=chosen, reports=REPORTS, today=today.isoformat(),
        year_start=today.replace(month=1, day=1).isoformat()))


@get("/audit/reports/{name:str}", include_in_schema=False)
async def report_download(request: Request[Any, Any, Any], name: FromPath[str],
                          fund: FromQuery[str], format: FromQuery[str | None] = None,
                          date_from: Annotated[str | None, QueryParameter(name="from")] = None,
                          to: FromQuery[str | None] = None,
                          as_of: FromQuery[str | None] = None) -> Stream:
    await signed_in(request, *_STAFF)
    rendered = await render(context_of(request), name, fund=fund, start=date_from, end=to,
                            as_of=as_of, output=format)
    return Stream(rendered.chunks, media_type=rendered.media_type, headers={
        "Content-Disposition": f'attachment; filename="{rendered.filename}"'})


@get("/audit/verify", include_in_schema=False)
async def verify_part(request: HTMXRequest, fund: FromQuery[str]) -> Template:
    await signed_in(request, *_STAFF)
    result = await verify_fund(context_of(request), fund)
    return HTMXTemplate(template_name="audit-verify.html",
                        context=page_values(result=result, fund=fund))


@get("/audit/checkpoint", include_in_schema=False)
async def checkpoint_download(request: Request[Any, Any, Any],
                              fund: FromQuery[str]) -> Response[bytes]:
    await signed_in(request, *_STAFF)
    checkpoint = await checkpoints.take_checkpoint(context_of(request), fund)
    return Response(msgspec.json.encode(checkpoint), media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="checkpoint-{checkpoint.fund}-'
                               f'{checkpoint.seq}.json"'})


ROUTES = [audit_page, report_download, verify_part, checkpoint_download]
