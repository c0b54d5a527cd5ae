"""The facts a rule may read, per kind of decision. policies/README.md documents the same
list for committee members (a test keeps the two in step).

Money facts are integers in the currency's minor units (HKD 1,000.00 is 100000), never
floats; dates are ISO strings; counts are integers."""

from __future__ import annotations

from typing import Any

APPLICANT_PROFILE = {
    "age": "int: whole years on the decision date",
    "course_credits": "int: financial-literacy credits earned so far",
    "months_in_community": "int: whole months since they were registered",
    "household_size": "int: people in the household (1 when not recorded)",
}
# What an application decision also knows of the applicant's borrowing and grants.
APPLICANT = {
    **APPLICANT_PROFILE,
    "loans_active": "int: loans disbursed and not yet closed or written off",
    "loans_in_arrears": "int: active loans with an instalment overdue",
    "loans_repaid": "int: loans repaid in full",
    "max_days_past_due_ever": "int: the longest any of their instalments was ever overdue",
    "grants_received_last_365_days": "int: minor units of grants approved or paid to them "
                                     "in the last 365 days (for grants: in the programme, "
                                     "over its policy's params.cap_window_days)",
}
APPLICATION = {
    "amount": "int: minor units asked for",
    "currency": "string: ISO 4217 code",
    "installments": "int: number of instalments (loans; 0 for grants)",
    "purpose": "string: what the money is for",
}
PRODUCT = {
    "code": "string", "currency": "string", "min_amount": "int: minor units",
    "max_amount": "int: minor units", "installments": "int: default number of instalments",
}
PROGRAM = {
    "code": "string",
    "category": "string: medical, funeral, housing, food, education or other",
    "currency": "string", "max_per_person": "int: minor units per 365 days",
}
COURSE = {
    "code": "string", "credits": "int", "passing_score": "int: 0-100",
    "languages": "list of strings: BCP 47 tags it is taught in",
}
COMPLETION = {
    "completed_on": "string: ISO date",
    "score": "int: 0-100, or -1 when the course has no test",
}
HISTORY = {
    "credited_before": "bool: this course already earned them credit",
    "months_since_last_credit": "int: whole months since that credit (0 when never)",
}

# Which facts each kind of decision sees; `params` are the policy version's own values.
FACTS_BY_KIND: dict[str, dict[str, dict[str, str]]] = {
    "loan_application": {"applicant": APPLICANT, "application": APPLICATION, "product": PRODUCT},
    "grant_application": {"applicant": APPLICANT, "application": APPLICATION,
                          "program": PROGRAM},
    "course_completion": {"applicant": APPLICANT_PROFILE, "course": COURSE,
                          "completion": COMPLETION,
                          "history": HISTORY},
    "approval": {"application": APPLICATION},
}

def money_facts(kind: str) -> frozenset[str]:
    """The facts of a kind of decision that are money ("application.amount", ...)."""
    return frozenset(f"{scope}.{name}" for scope, fields in FACTS_BY_KIND.get(kind, {}).items()
                     for name, meaning in fields.items() if "minor units" in meaning)


# Plausible facts of the right types: every rule is tried on them when policies load, so a
# type error (comparing a count with a string, say) stops start-up instead of a decision.
_SAMPLE_VALUES: dict[str, Any] = {"int": 1, "string": "x", "bool": False, "list": ["en"]}


def sample_facts(kind: str) -> dict[str, dict[str, Any]]:
    sample: dict[str, dict[str, Any]] = {}
    for name, fields in FACTS_BY_KIND[kind].items():
        sample[name] = {field: _SAMPLE_VALUES[meaning.split(":")[0].split()[0]]
                        for field, meaning in fields.items()}
    if "application" in sample:
        sample["application"]["currency"] = "HKD"
    return sample
