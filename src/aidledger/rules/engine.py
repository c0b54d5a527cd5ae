"""Deciding: every rule of the version in force is evaluated, none skipped, so a decision
always explains itself in full."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import cel
import msgspec

from aidledger.rules.model import Decision, FactError, Policy, Reason, Rule, Version


def decide(policy: Policy, facts: dict[str, Any], on: date, now: datetime) -> Decision:
    """Raises NoPolicyInForce before the first version, FactError when a rule cannot be
    evaluated on these facts (never a silent false)."""
    version = policy.version_on(on)
    try:
        context = cel.Context({**facts, "params": version.params})
    except (TypeError, ValueError, OverflowError) as error:
        raise FactError(policy.file, "*", "facts", f"cannot be read: {error}") from None
    reasons, awarded = [], []
    for rule in version.rules:
        passed = rule_passes(policy.file, rule, context)
        reasons.append(Reason(rule.id, passed, rule.description, _detail(rule, facts, version)))
        if passed and rule.credits is not None:
            awarded.append((rule.id, rule_credits(policy.file, rule, context)))
    # Rules that award credit do not decide eligibility; every other rule must pass.
    eligible = all(reason.passed for reason, rule in zip(reasons, version.rules, strict=True)
                   if rule.credits is None)
    return Decision(
        policy=policy.id, version=version.version, sha256=policy.sha256,
        outcome="eligible" if eligible else "ineligible", reasons=tuple(reasons),
        evaluated_at=now, credits=tuple(awarded) if eligible else (),
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


def _detail(rule: Rule, facts: dict[str, Any], version: Version) -> str:
    """The values the rule looked at, e.g. "applicant.age = 17; params.min_age = 18"."""
    scopes = {**facts, "params": version.params}
    shown = []
    for reference in rule.references:
        scope, _, name = reference.partition(".")
        value = scopes.get(scope, {}).get(name, "(missing)")
        shown.append(f"{reference} = {_encode(value).decode()}")
    return "; ".join(shown)
