"""A borrower's own page, in the borrower's language, made for a phone: the next payment
first, each loan's schedule, what closes a loan today, course credits and what they
unlock, and the loan documents to download."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from aidledger.domain.errors import NotFound
from aidledger.reports.formatting import LocaleFormat
from aidledger.reports.loan_documents import TEMPLATES, document_language, loan_document
from aidledger.services import credits, loans, people
from aidledger.services.context import Role

from .session import context_of, signed_in
from .templating import page_values


@get("/my", include_in_schema=False)
async def my_page(request: Request[Any, Any, Any]) -> Template:
    actor = await signed_in(request, Role.BORROWER)
    context = context_of(request)
    assert actor.person_id is not None  # a borrower login always names its person
    person = await people.get_person(context, actor, actor.person_id)
    language = document_language(None, person.preferred_language)
    write = LocaleFormat(language)
    today = context.clock.today()
    shown, next_payments = [], []
    for loan in (await loans.my_loans(context, actor)).items:
        schedule = await loans.loan_schedule(context, actor, loan.id)
        payoff = (await loans.payoff(context, actor, loan.id, None)
                  if loan.status == "active" else None)
        due = next((row for row in schedule.installments
                    if row.status in ("overdue", "partial", "upcoming")), None)
        if due is not None and loan.status == "active":
            next_payments.append((due.due_date, loan, due))
        shown.append({"loan": loan, "schedule": schedule, "payoff": payoff})
    earned = await credits.person_credits(context, actor, actor.person_id)
    return Template("borrower-my.html", context=page_values(
        actor=actor, language=language, person=person, loans=shown, write=write,
        next_payment=min(next_payments, key=lambda item: item[0]) if next_payments else None,
        credits=earned, milestones=credits.credit_milestones(context, today),
        documents=list(TEMPLATES)))


@get("/documents/loans/{loan_id:str}/{name:str}", include_in_schema=False)
async def loan_document_download(request: Request[Any, Any, Any], loan_id: FromPath[str],
                                 name: FromPath[str],
                                 lang: FromQuery[str | None] = None) -> Response[bytes]:
    """The PDFs of API.md "Borrower documents" for a signed-in page user: a borrower gets
    their own, staff any."""
    actor = await signed_in(request)
    kind = name.removesuffix(".pdf")
    if kind not in TEMPLATES or not name.endswith(".pdf"):
        raise NotFound(f"No document {name!r}.")
    document = await loan_document(context_of(request), actor, loan_id, kind,
                                   language=lang)
    return Response(document.pdf, media_type="application/pdf", headers={
        "Content-Language": document.language,
        "Content-Disposition": f'attachment; filename="{document.filename}"'})


ROUTES = [my_page, loan_document_download]
