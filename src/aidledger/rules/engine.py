"""Deciding: every rule of the version in force is evaluated, none skipped, so a decision
always explains itself in full."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import cel
import msgspec

from aidledger.domain.errors import InvalidInput
from aidledger.domain.money import money_text
from aidledger.rules.facts import money_facts
from aidledger.rules.model import (
    Decision,
    FactError,
    Policy,
    Reason,
    Rule,
    Version,
    outcome_name,
)


def decide(policy: Policy, facts: dict[str, Any], on: date, now: datetime) -> Decision:
    """Raises NoPolicyInForce before the first version, FactError when a rule cannot be
    evaluated on these facts (never a silent false)."""
    version = policy.version_on(on)
    money = money_facts(policy.applies_to)
    try:
        context = cel.Context({**facts, "params": version.params})
    except (TypeError, ValueError, OverflowError) as error:
        raise FactError(policy.file, "*", "facts", f"cannot be read: {error}") from None
    reasons, awarded = [], []
    for rule in version.rules:
        passed = rule_passes(policy.file, rule, context)
        reasons.append(Reason(rule.id, passed, rule.description,
                              _detail(rule, facts, version, money)))
        if passed and rule.credits is not None:
            awarded.append((rule.id, rule_credits(policy.file, rule, context)))
    # Rules that award credit do not decide eligibility; every other rule must pass.
    passed = all(reason.passed for reason, rule in zip(reasons, version.rules, strict=True)
                 if rule.credits is None)
    return Decision(
        policy=policy.id, version=version.version, sha256=policy.sha256,
        outcome=outcome_name(policy.applies_to, passed), reasons=tuple(reasons),
        evaluated_at=now, credits=tuple(awarded) if passed else (),
    )


def rule_passes(file: str, rule: Rule, context: cel.Context) -> bool:
    result = _run(file, rule, rule.program, rule.condition, context)
    if not isinstance(result, bool):
        raise FactError(file, rule.id, rule.condition,
                        f"gave {result!r}, not true or false")
    return result


def rule_credits(file: str, rule: Rule, context: cel.Context) -> int:
    assert rule.credits is not None
    assert rule.credits_source is not None
    result = _run(file, rule, rule.credits, rule.credits_source, context)
    if isinstance(result, bool) or not isinstance(result, int) or result < 0:
        raise FactError(file, rule.id, rule.credits_source,
                        f"credits gave {result!r}, not a whole number of credits")
    return result


def _run(file: str, rule: Rule, program: cel.Program, source: str,
         context: cel.Context) -> Any:
    try:
        return program.execute(context)
    except KeyError as missing:
        raise FactError(file, rule.id, source, f"missing fact {missing}") from None
    except Exception as error:  # the CEL extension reports failures with several types
        raise FactError(file, rule.id, source, str(error).split(". ")[0]) from None


# Values shown as JSON ("HKD", true, 17), by the encoder cheap enough for every reason.
_encode = msgspec.json.Encoder(enc_hook=str).encode


def _detail(rule: Rule, facts: dict[str, Any], version: Version,
            money: frozenset[str]) -> str:
    """The values the rule looked at, e.g. "applicant.age = 17; params.min_age = 18", with
    money facts (minor units inside the rules) shown as money: "application.amount =
    15000.00 HKD", and a per-currency parameter as its entry for the application's
    currency: "params.second_approver_from[HKD] = 10000.00 HKD"."""
    scopes = {**facts, "params": version.params}
    application = facts.get("application")
    currency = application.get("currency") if isinstance(application, dict) else None
    shown = []
    for reference in rule.references:
        scope, _, name = reference.partition(".")
        found = scopes.get(scope)
        value = found.get(name, "(missing)") if isinstance(found, dict) else "(missing)"
        if scope == "params" and isinstance(value, dict) and currency in value:
            reference, value = f"{reference}[{currency}]", value[currency]
            shown.append(f"{reference} = {_money_or_json(value, currency)}")
        elif reference in money:
            shown.append(f"{reference} = {_money_or_json(value, currency)}")
        else:
            shown.append(f"{reference} = {_encode(value).decode()}")
    return "; ".join(shown)


def _money_or_json(value: Any, currency: Any) -> str:
    """Minor units as money in the currency, when both are what they should be."""
    if isinstance(value, int) and not isinstance(value, bool) and isinstance(currency, str):
        try:
            return money_text(value, currency)
        except InvalidInput:
            pass
    return _encode(value).decode()
