"""Draft rulesets: create, edit rules, settings and tests, retire, discard, import.

Every change checks the draft's revision with a conditional UPDATE (two admins editing
at once: the second is told, nothing is lost), is checked against the rule book's locks
(§6.1) and the engine, and is audited in the same transaction.
"""

import re
from typing import Any, Final

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, Max

from screening import audit, engine
from screening.models import Clinic, Rule, RulesetVersion
from screening.services import rule_locks, rulesets


class DraftExistsError(Exception):
    """The clinic already has a draft: every edit goes into that one."""


class NotADraftError(Exception):
    """Only a draft is edited; a published version never changes."""


class StaleDraftError(Exception):
    """Someone changed the draft after the user opened it."""


class RuleEditError(Exception):
    """A refused change, with messages by form field (None: the whole form)."""

    def __init__(self, errors: dict[str | None, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class RulesetImportError(Exception):
    """A ruleset/1 document that cannot become a draft; the message says why."""


# What a rule admin edits on a rule (rule book §6.1); code and lock stay as they are.
EDITABLE_RULE_FIELDS: Final = (
    "title",
    "severity",
    "expression",
    "threshold_text",
    "message",
    "source",
    "enabled",
)
# A clinic's own codes read like the catalogue's: "CLINIC-ECG-QTC".
CODE_PATTERN: Final = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")


def refuse_unless_draft(ruleset: RulesetVersion) -> None:
    if not ruleset.is_draft:
        raise NotADraftError


def used_codes(clinic: Clinic) -> set[str]:
    """Every code the clinic's rulesets ever held, and the shipped catalogue's."""
    return set(
        Rule.objects.filter(ruleset__clinic=clinic).values_list("code", flat=True)
    ) | set(rule_locks.baseline_rules())


def _add_contributor(draft: RulesetVersion, by: User) -> None:
    # None: a command or a test acting for nobody in particular.
    if by is not None:
        draft.contributors.add(by)


def _bump_revision(draft: RulesetVersion, *, revision: int, by: User) -> None:
    """Move the draft to its next revision if nobody edited it first."""
    changed = RulesetVersion.objects.filter(
        pk=draft.pk, status=RulesetVersion.Status.DRAFT, revision=revision
    ).update(revision=F("revision") + 1)
    if not changed:  # someone saved first, or it was published or discarded meanwhile
        raise StaleDraftError
    draft.refresh_from_db(fields=["revision"])
    _add_contributor(draft, by)


def _record_edit(
    draft: RulesetVersion, *, by: User, change: str, rule: Rule | None
) -> None:
    audit.record(
        audit.Event.RULESET_EDITED,
        actor=by,
        clinic=draft.clinic,
        target=rule or draft,
        category="ruleset",
        object_version=draft.revision,
        detail={"change": change, "ruleset": draft.pk, "revision": draft.revision},
    )


@transaction.atomic
def do_create_draft(clinic: Clinic, *, by: User) -> RulesetVersion:
    """Start the clinic's draft from its published ruleset (at first, the default)."""
    if rulesets.get_draft(clinic) is not None:
        raise DraftExistsError
    base = rulesets.get_active_ruleset(clinic)
    try:
        with transaction.atomic():
            draft = RulesetVersion.objects.create(
                clinic=clinic,
                status=RulesetVersion.Status.DRAFT,
                clinic_settings=base.clinic_settings,
                based_on=base,
                created_by=by,
                origin=RulesetVersion.Origin.COPY,
            )
    except IntegrityError:  # another admin started one a moment ago
        raise DraftExistsError from None
    Rule.objects.bulk_create(
        Rule(
            ruleset=draft,
            position=rule.position,
            code=rule.code,
            title=rule.title,
            severity=rule.severity,
            expression=rule.expression,
            message=rule.message,
            threshold_text=rule.threshold_text,
            source=rule.source,
            enabled=rule.enabled,
            locked=rule.locked,
            tests=rule.tests,
            extra=rule.extra,
            is_retired=rule.is_retired,
        )
        for rule in base.rules.all()
    )
    _add_contributor(draft, by)
    audit.record(
        audit.Event.RULESET_DRAFTED,
        actor=by,
        clinic=clinic,
        target=draft,
        category="ruleset",
        object_version=draft.revision,
        detail={"based_on": base.label, "origin": draft.origin},
    )
    return draft


def _checked_document(
    draft: RulesetVersion,
    *,
    rule: dict[str, Any] | None = None,
    settings_: dict[str, Any] | None = None,
) -> str | None:
    """Compile the draft with one rule or the settings replaced: the error, or None.

    The whole ruleset, because a rule may read another's condition (bp_severe) and its
    tests run under the draft's settings.
    """
    document = rulesets.ruleset_document(draft)
    if settings_ is not None:
        document["settings"] = settings_
    if rule is not None:
        others = [r for r in document["rules"] if r["code"] != rule["code"]]
        document["rules"] = [*others, rule]
    try:
        engine.ruleset_from_dict(document)
    except engine.RulesetError as error:
        return str(error)
    return None


def _with_line(values: dict[str, Any], rule: Rule | None) -> dict[str, Any]:
    # The threshold line is optional in a change: left out, the rule keeps its own.
    return {"threshold_text": rule.threshold_text if rule else "", **values}


def rule_problems(
    draft: RulesetVersion, values: dict[str, Any], *, rule: Rule | None
) -> dict[str | None, str]:
    """Everything wrong with a rule as typed, by field; empty when it may be saved."""
    values = _with_line(values, rule)
    problems: dict[str | None, str] = {}
    code = rule.code if rule is not None else values.get("code", "")
    if rule is None:
        if not CODE_PATTERN.match(code):
            problems["code"] = (
                "Write the code in capitals with hyphens between parts, "
                "e.g. CLINIC-ECG-QTC."
            )
        elif code in used_codes(draft.clinic):
            problems["code"] = (
                f"{code} is, or was, used by this clinic's rulesets or the shipped "
                "catalogue. Codes are never reused: choose a new one."
            )
    try:
        engine.compile_expression(values["expression"])
    except engine.ExpressionError as error:
        problems["expression"] = str(error)
    problems.update(
        rule_locks.rule_change_problems(
            code,
            expression=values["expression"],
            severity=values["severity"],
            enabled=values["enabled"],
        )
    )
    line_problem = rule_locks.threshold_line_problem(code, values["threshold_text"])
    if line_problem:
        problems["threshold_text"] = line_problem
    if not problems:
        entry = {
            **(rulesets.rule_entry(rule) if rule else {"code": code, "locked": False}),
            **{name: values[name] for name in EDITABLE_RULE_FIELDS},
            "tests": rule.tests if rule else [],
        }
        error = _checked_document(draft, rule=entry)
        if error:
            problems["expression"] = error
    return problems


@transaction.atomic
def do_update_rule(
    rule: Rule,
    values: dict[str, Any],
    *,
    revision: int,
    by: User,
) -> Rule:
    """Change a draft rule's condition, severity, texts, source or switch (§6.1)."""
    draft = rule.ruleset
    refuse_unless_draft(draft)
    values = _with_line(values, rule)
    problems = rule_problems(draft, values, rule=rule)
    if problems:
        raise RuleEditError(problems)
    _bump_revision(draft, revision=revision, by=by)
    for name in EDITABLE_RULE_FIELDS:
        setattr(rule, name, values[name])
    rule.save(update_fields=list(EDITABLE_RULE_FIELDS))
    _record_edit(draft, by=by, change="rule_updated", rule=rule)
    return rule


@transaction.atomic
def do_add_rule(
    draft: RulesetVersion,
    values: dict[str, Any],
    *,
    revision: int,
    by: User,
) -> Rule:
    """Add a clinic rule with a new code, written over the fact vocabulary (§14)."""
    refuse_unless_draft(draft)
    values = _with_line(values, None)
    problems = rule_problems(draft, values, rule=None)
    if problems:
        raise RuleEditError(problems)
    _bump_revision(draft, revision=revision, by=by)
    last = draft.rules.aggregate(last=Max("position"))["last"]
    rule = Rule.objects.create(
        ruleset=draft,
        position=0 if last is None else last + 1,
        code=values["code"],
        **{name: values[name] for name in EDITABLE_RULE_FIELDS},
    )
    _record_edit(draft, by=by, change="rule_added", rule=rule)
    return rule


@transaction.atomic
def do_retire_rule(rule: Rule, *, revision: int, by: User) -> Rule:
    """Retire an unlocked rule: it stays in the history and its code is never reused."""
    draft = rule.ruleset
    refuse_unless_draft(draft)
    problem = rule_locks.retire_problem(rule.code)
    if problem:
        raise RuleEditError({None: problem})
    _bump_revision(draft, revision=revision, by=by)
    rule.is_retired = True
    rule.save(update_fields=["is_retired"])
    _record_edit(draft, by=by, change="rule_retired", rule=rule)
    return rule


def rule_tests_problem(rule: Rule, tests: list[dict[str, Any]]) -> str | None:
    """Why these test cases cannot be stored for the rule (unknown fact, bad value)."""
    return _checked_document(
        rule.ruleset, rule={**rulesets.rule_entry(rule), "tests": tests}
    )


@transaction.atomic
def do_update_rule_tests(
    rule: Rule,
    tests: list[dict[str, Any]],
    *,
    revision: int,
    by: User,
) -> Rule:
    """Replace a draft rule's own test cases (facts -> fired, silent, not_evaluable)."""
    draft = rule.ruleset
    refuse_unless_draft(draft)
    problem = rule_tests_problem(rule, tests)
    if problem:
        raise RuleEditError({None: problem})
    _bump_revision(draft, revision=revision, by=by)
    rule.tests = tests
    rule.save(update_fields=["tests"])
    _record_edit(draft, by=by, change="rule_tests_updated", rule=rule)
    return rule


def settings_problem(draft: RulesetVersion, values: dict[str, Any]) -> str | None:
    """Why these clinic settings cannot be stored (the engine's message), or None."""
    try:
        engine.ClinicSettings.from_dict(values)
    except engine.SettingsError as error:
        return str(error)
    return _checked_document(draft, settings_=values)


@transaction.atomic
def do_update_settings(
    draft: RulesetVersion,
    values: dict[str, Any],
    *,
    revision: int,
    by: User,
) -> RulesetVersion:
    """Change the draft's clinic settings (§6), the two admin tables included."""
    refuse_unless_draft(draft)
    problem = settings_problem(draft, values)
    if problem:
        raise RuleEditError({None: problem})
    _bump_revision(draft, revision=revision, by=by)
    draft.clinic_settings = engine.ClinicSettings.from_dict(values).to_dict()
    draft.save(update_fields=["clinic_settings"])
    _record_edit(draft, by=by, change="settings_updated", rule=None)
    return draft


@transaction.atomic
def do_discard_draft(draft: RulesetVersion, *, revision: int, by: User) -> None:
    """Give up a draft; it stays on record as discarded."""
    changed = RulesetVersion.objects.filter(
        pk=draft.pk, status=RulesetVersion.Status.DRAFT, revision=revision
    ).update(status=RulesetVersion.Status.DISCARDED)
    if not changed:
        raise StaleDraftError
    draft.refresh_from_db(fields=["status"])
    _record_edit(draft, by=by, change="draft_discarded", rule=None)


def do_run_rule_tests(
    ruleset: RulesetVersion, *, by: User
) -> list[engine.RuleTestResult]:
    """Run every rule's own test cases and record that they were run."""
    results = engine.run_rule_tests(rulesets.get_engine_ruleset(ruleset))
    failed = sum(not result.passed for result in results)
    audit.record(
        audit.Event.RULESET_TESTED,
        actor=by,
        clinic=ruleset.clinic,
        target=ruleset,
        category="ruleset",
        object_version=ruleset.revision,
        detail={
            "check": "rule_tests",
            "passed": len(results) - failed,
            "failed": failed,
        },
        outcome="success",
    )
    return results


def _import_problems(clinic: Clinic, document: Any) -> list[str]:
    if not isinstance(document, dict) or document.get("format") != "ruleset/1":
        return ['The file is not a ruleset/1 document ("format": "ruleset/1").']
    rules = document.get("rules")
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        return ["The document's rules must be a list of rule objects."]
    live = [
        {key: value for key, value in rule.items() if key != "retired"}
        for rule in rules
        if not rule.get("retired")
    ]
    try:
        # A retired rule is stored as it is, never compiled: check its shape alone.
        for index, rule in enumerate(rules):
            if rule.get("retired"):
                engine.rule_from_dict(
                    index,
                    {key: value for key, value in rule.items() if key != "retired"},
                )
        engine.ruleset_from_dict({**document, "version": "import", "rules": live})
    except engine.RulesetError as error:
        return [str(error)]
    problems = []
    codes = {rule["code"] for rule in rules}
    active = rulesets.get_active_ruleset(clinic)
    retired_before = set(
        Rule.objects.filter(ruleset__clinic=clinic, is_retired=True).values_list(
            "code", flat=True
        )
    )
    for rule in active.rules.all():
        if rule.code not in codes:
            problems.append(
                f"{rule.code} is missing: retire a rule in a draft instead of leaving "
                "it out."
            )
    for rule in rules:
        if rule["code"] in retired_before and not rule.get("retired"):
            problems.append(f"{rule['code']} was retired and its code is never reused.")
        if rule.get("retired"):
            problem = rule_locks.retire_problem(rule["code"])
        else:
            found = rule_locks.rule_change_problems(
                rule["code"],
                expression=rule["expression"],
                severity=rule["severity"],
                enabled=rule.get("enabled", True),
            )
            problem = next(iter(found.values()), None)
        if problem:
            problems.append(problem)
    return problems


@transaction.atomic
def do_import_ruleset(clinic: Clinic, document: Any, *, by: User) -> RulesetVersion:
    """Turn a ruleset/1 document into the clinic's draft; it passes the same gate."""
    if rulesets.get_draft(clinic) is not None:
        raise DraftExistsError
    problems = _import_problems(clinic, document)
    if problems:
        raise RulesetImportError(" ".join(problems[:5]))
    draft = rulesets.do_load_ruleset_document(
        document,
        clinic=clinic,
        label=None,
        status=RulesetVersion.Status.DRAFT,
        by=by,
    )
    draft.based_on = rulesets.get_active_ruleset(clinic)
    draft.save(update_fields=["based_on"])
    _add_contributor(draft, by)
    audit.record(
        audit.Event.RULESET_DRAFTED,
        actor=by,
        clinic=clinic,
        target=draft,
        category="ruleset",
        object_version=draft.revision,
        detail={"based_on": draft.based_on.label, "origin": draft.origin},
    )
    return draft
