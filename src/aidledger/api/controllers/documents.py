"""A borrower's documents about a loan, as PDF in the borrower's language. The language
actually used (the nearest one shipped) is sent back in Content-Language."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get
from litestar.params import FromPath, FromQuery, QueryParameter

from aidledger.api.auth import ANY_ROLE
from aidledger.api.openapi import responses
from aidledger.api.parameters import Caller, Context
from aidledger.reports.loan_documents import LoanDocument, loan_document

Language = Annotated[str | None, QueryParameter(
    description="a BCP 47 tag; default the borrower's preferred language")]
From = Annotated[str | None, QueryParameter(name="from")]
_ERRORS = (400, 401, 403, 404, 422, 503)


def _sent(document: LoanDocument) -> Response[bytes]:
    return Response(document.pdf, media_type="application/pdf", headers={
        "Content-Language": document.language,
        "Content-Disposition": f'inline; filename="{document.filename}"'})


@get("/api/loans/{loan_id:str}/schedule.pdf", guards=[ANY_ROLE],
     responses=responses(200, bytes, *_ERRORS, media_type="application/pdf"))
async def schedule_pdf(context: Context, actor: Caller, loan_id: FromPath[str],
                       lang: Language = None) -> Response[bytes]:
    """The repayment schedule: the next payment and the total first, then every
    instalment paid, overdue or upcoming."""
    return _sent(await loan_document(context, actor, loan_id, "schedule", language=lang))


@get("/api/loans/{loan_id:str}/key-facts.pdf", guards=[ANY_ROLE],
     responses=responses(200, bytes, *_ERRORS, media_type="application/pdf"))
async def key_facts_pdf(context: Context, actor: Caller, loan_id: FromPath[str],
                        lang: Language = None) -> Response[bytes]:
    """One page of what the loan costs in all, for any loan from its application on."""
    return _sent(await loan_document(context, actor, loan_id, "key-facts", language=lang))


@get("/api/loans/{loan_id:str}/statement.pdf", guards=[ANY_ROLE],
     responses=responses(200, bytes, *_ERRORS, media_type="application/pdf"))
async def statement_pdf(context: Context, actor: Caller, loan_id: FromPath[str],
                        lang: Language = None, date_from: From = None,
                        to: FromQuery[str | None] = None) -> Response[bytes]:
    """Every payment, penalty and change of what is owed in [from, to] (default: since
    the loan was paid out, up to today)."""
    return _sent(await loan_document(context, actor, loan_id, "statement", language=lang,
                                     start=date_from, end=to))


ROUTES = [schedule_pdf, key_facts_pdf, statement_pdf]
