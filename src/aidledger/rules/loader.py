"""Reading and checking policy files. Every problem names the file, the line where YAML
gives one, the rule, and what is wrong, in words a committee member can act on."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import cel
import yaml

from aidledger.rules.engine import rule_credits, rule_passes
from aidledger.rules.facts import FACTS_BY_KIND, sample_facts
from aidledger.rules.model import (
    APPLIES_TO,
    Course,
    FactError,
    Policy,
    PolicyError,
    Rule,
    Version,
)

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_REFERENCE = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)")
_LINE = "__line__"


class _LineLoader(yaml.SafeLoader):
    """Remembers the line each mapping starts on, for messages."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[_LINE] = node.start_mark.line + 1
        return mapping


def _plain(value: Any) -> Any:
    """The parsed document without line markers (what the API shows)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if key != _LINE}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class PolicySet:
    policies: dict[str, Policy]

    def get(self, policy_id: str) -> Policy | None:
        return self.policies.get(policy_id)

    def __iter__(self) -> Iterator[Policy]:
        return iter(sorted(self.policies.values(), key=lambda policy: policy.id))

    def course_policy(self) -> Policy | None:
        return next((policy for policy in self if policy.applies_to == "course_completion"),
                    None)


def load_policies(directory: Path) -> PolicySet:
    """Every *.yaml file directly in `directory` (policies/tests/ holds test cases)."""
    policies: dict[str, Policy] = {}
    for path in sorted(directory.glob("*.yaml")):
        policy = load_policy(path)
        if policy.id in policies:
            raise PolicyError(path.name, f"policy id {policy.id!r} is also used by "
                                         f"{policies[policy.id].file}")
        policies[policy.id] = policy
    kinds = [policy.applies_to for policy in policies.values()]
    if kinds.count("course_completion") > 1:
        raise PolicyError(directory.name, "only one course_completion policy (the course "
                                          "catalogue) may exist")
    return PolicySet(policies)


def load_policy(path: Path) -> Policy:
    raw = path.read_bytes()
    name = path.name
    try:
        document = yaml.load(raw.decode("utf-8"), Loader=_LineLoader)  # noqa: S506 - SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise PolicyError(name, f"not valid YAML: {problem}",
                          line=mark.line + 1 if mark else None) from None
    except UnicodeDecodeError:
        raise PolicyError(name, "not UTF-8 text") from None
    if not isinstance(document, dict):
        raise PolicyError(name, "must be a mapping with id, applies_to, title and versions")
    _only_keys(name, document, {"id", "applies_to", "title", "versions"}, None)
    policy_id = _text(name, document, "id", None)
    if not ID_PATTERN.fullmatch(policy_id):
        raise PolicyError(name, "id: lower-case letters, digits and '-'", line=document[_LINE])
    if policy_id != path.stem:
        raise PolicyError(name, f"id {policy_id!r} must match the file name {path.stem!r}",
                          line=document[_LINE])
    applies_to = _text(name, document, "applies_to", None)
    if applies_to not in APPLIES_TO:
        raise PolicyError(name, f"applies_to must be one of {', '.join(APPLIES_TO)}",
                          line=document[_LINE])
    title = _text(name, document, "title", None)
    versions_raw = document.get("versions")
    if not isinstance(versions_raw, list) or not versions_raw:
        raise PolicyError(name, "versions: a list with at least one version",
                          line=document[_LINE])
    versions = [_version(name, applies_to, item) for item in versions_raw]
    for earlier, later in pairwise(versions):
        if later.effective_from == earlier.effective_from:
            raise PolicyError(name, f"versions {earlier.version} and {later.version} both take "
                                    f"effect on {later.effective_from.isoformat()}; give each "
                                    "its own date")
        if later.effective_from < earlier.effective_from or later.version <= earlier.version:
            raise PolicyError(name, f"version {later.version} must come after version "
                                    f"{earlier.version}, with a later number and date")
    return Policy(id=policy_id, applies_to=applies_to, title=title, file=name,
                  sha256=hashlib.sha256(raw).hexdigest(), versions=tuple(versions),
                  document=_plain(document))


def _only_keys(name: str, mapping: dict[str, Any], allowed: set[str], rule: str | None) -> None:
    unknown = sorted(str(key) for key in mapping if key not in allowed and key != _LINE)
    if unknown:
        raise PolicyError(name, f"unknown key(s) {', '.join(unknown)}; expected "
                                f"{', '.join(sorted(allowed))}", rule=rule,
                          line=mapping.get(_LINE))


def _text(name: str, mapping: dict[str, Any], key: str, rule: str | None) -> str:
    value = mapping.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(name, f"{key} is missing or empty", rule=rule, line=mapping.get(_LINE))
    return value.strip()


def _version(name: str, applies_to: str, raw: Any) -> Version:
    if not isinstance(raw, dict):
        raise PolicyError(name, "each version must be a mapping")
    line = raw[_LINE]
    allowed = {"version", "effective_from", "params", "rules"}
    if applies_to == "course_completion":
        allowed.add("courses")
    _only_keys(name, raw, allowed, None)
    number = raw.get("version")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise PolicyError(name, "version: a whole number from 1", line=line)
    effective = raw.get("effective_from")
    if not isinstance(effective, date):
        raise PolicyError(name, f"version {number}: effective_from must be a date like "
                                "2026-01-01", line=line)
    params = _plain(raw.get("params") or {})
    if not isinstance(params, dict):
        raise PolicyError(name, f"version {number}: params must be a mapping", line=line)
    rules_raw = raw.get("rules")
    if not isinstance(rules_raw, list) or not rules_raw:
        raise PolicyError(name, f"version {number}: rules must be a non-empty list", line=line)
    courses = _courses(name, raw.get("courses"), line) if applies_to == "course_completion" else ()
    rules = [_rule(name, applies_to, params, item) for item in rules_raw]
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise PolicyError(name, f"version {number}: two rules are called {rule.id!r}",
                              rule=rule.id)
        seen.add(rule.id)
    version = Version(number, effective, params, tuple(rules), courses)
    _try_on_sample_facts(name, applies_to, version)
    return version


def _rule(name: str, applies_to: str, params: dict[str, Any], raw: Any) -> Rule:
    if not isinstance(raw, dict):
        raise PolicyError(name, "each rule must be a mapping with id, description, condition")
    rule_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    allowed = {"id", "description", "condition"}
    if applies_to == "course_completion":
        allowed.add("credits")
    _only_keys(name, raw, allowed, rule_id)
    rule_id = _text(name, raw, "id", None)
    if not ID_PATTERN.fullmatch(rule_id):
        raise PolicyError(name, "rule ids: lower-case letters, digits and '-'", rule=rule_id,
                          line=raw[_LINE])
    description = _text(name, raw, "description", rule_id)
    condition = _text(name, raw, "condition", rule_id)
    program, references = _compile(name, applies_to, params, rule_id, condition, raw[_LINE])
    credits_program = credits_source = None
    if "credits" in raw:
        credits_source = str(raw["credits"])
        credits_program, credit_references = _compile(name, applies_to, params, rule_id,
                                                      credits_source, raw[_LINE])
        references = tuple(dict.fromkeys(references + credit_references))
    return Rule(rule_id, description, condition, program, references, credits_program,
                credits_source)


def _compile(name: str, applies_to: str, params: dict[str, Any], rule_id: str,
             expression: str, line: int) -> tuple[cel.Program, tuple[str, ...]]:
    try:
        program = cel.compile(expression)
    except ValueError as error:
        first_line = str(error).splitlines()[0].split(": ERROR")[0]
        raise PolicyError(name, f"the condition {expression!r} is not valid CEL "
                                f"({first_line})", rule=rule_id, line=line) from None
    facts = FACTS_BY_KIND[applies_to]
    for variable in program.variables():
        if variable not in facts and variable != "params" and not _bound_by_macro(
                expression, variable):
            raise PolicyError(name, f"unknown fact {variable!r}; this kind of policy may read "
                                    f"{', '.join([*facts, 'params'])}", rule=rule_id, line=line)
    references = []
    for scope, field in _REFERENCE.findall(expression):
        known = params if scope == "params" else facts.get(scope)
        if known is None:
            continue
        if field not in known:
            raise PolicyError(name, f"unknown fact '{scope}.{field}'; {scope} has "
                                    f"{', '.join(sorted(known))}", rule=rule_id, line=line)
        references.append(f"{scope}.{field}")
    return program, tuple(dict.fromkeys(references))


def _bound_by_macro(expression: str, variable: str) -> bool:
    """`x` in `list.all(x, x > 0)` is bound by the macro, not a fact."""
    return re.search(rf"\.(all|exists|exists_one|map|filter)\(\s*{re.escape(variable)}\s*,",
                     expression) is not None


def _try_on_sample_facts(name: str, applies_to: str, version: Version) -> None:
    context = cel.Context({**sample_facts(applies_to), "params": version.params})
    for rule in version.rules:
        try:
            rule_passes(name, rule, context)
            if rule.credits is not None:
                rule_credits(name, rule, context)
        except FactError as error:
            raise PolicyError(name, f"{error.expression}: {error.problem}",
                              rule=rule.id) from None


def _courses(name: str, raw: Any, line: int) -> tuple[Course, ...]:
    if not isinstance(raw, list) or not raw:
        raise PolicyError(name, "courses: the catalogue, a non-empty list", line=line)
    courses = []
    for item in raw:
        if not isinstance(item, dict):
            raise PolicyError(name, "each course must be a mapping", line=line)
        _only_keys(name, item, {"code", "title", "credits", "passing_score", "languages"}, None)
        code = _text(name, item, "code", None)
        credits, passing = item.get("credits"), item.get("passing_score")
        languages = item.get("languages")
        if (isinstance(credits, bool) or not isinstance(credits, int) or credits < 0
                or isinstance(passing, bool) or not isinstance(passing, int)
                or not 0 <= passing <= 100
                or not isinstance(languages, list) or not languages
                or not all(isinstance(language, str) for language in languages)):
            raise PolicyError(name, f"course {code!r}: credits (whole number), passing_score "
                                    "(0-100) and languages (list of tags) are required",
                              line=item[_LINE])
        courses.append(Course(code, _text(name, item, "title", None), credits, passing,
                              tuple(languages)))
    codes = [course.code for course in courses]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise PolicyError(name, f"course code(s) listed twice: {', '.join(duplicates)}",
                          line=line)
    return tuple(courses)
