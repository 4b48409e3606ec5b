"""Rulesets in the database: the shipped default, drafts, the publish gate."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from screening import engine
from screening.models import Clinic, Rule, RulesetVersion

DEFAULT_RULESET_FILE = Path(settings.BASE_DIR) / "fixtures" / "default_ruleset.json"

# Published rulesets never change, so their compiled form is cached by primary key.
_compiled: dict[int, engine.Ruleset] = {}


class UnknownRulesetError(Exception):
    pass


RULE_FIELDS = ("code", "title", "severity", "expression", "message", "source")


@transaction.atomic
def do_load_ruleset_document(
    document: dict[str, Any],
    *,
    clinic: Clinic | None,
    label: str | None,
    status: str,
    by: Any = None,
) -> RulesetVersion:
    """Store a ruleset/1 document (the shipped default, or an imported one) as rows."""
    # Rules are only ever added to a draft (the ORM guard), so even a ruleset stored as
    # published is written as a draft first and published once complete.
    ruleset = RulesetVersion.objects.create(
        clinic=clinic,
        label=label,
        number=1 if label == document.get("version") else None,
        status=RulesetVersion.Status.DRAFT,
        clinic_settings=document.get("settings", {}),
        created_by=by,
        origin=RulesetVersion.Origin.SHIPPED
        if clinic is None
        else RulesetVersion.Origin.IMPORT,
    )
    rules = []
    for position, rule in enumerate(document["rules"]):
        known = {name: rule[name] for name in RULE_FIELDS}
        extra = {
            key: value
            for key, value in rule.items()
            if key not in (*RULE_FIELDS, "enabled", "locked", "tests")
        }
        rules.append(
            Rule(
                ruleset=ruleset,
                position=position,
                enabled=rule.get("enabled", True),
                locked=rule.get("locked", False),
                tests=rule.get("tests", []),
                extra=extra,
                **known,
            )
        )
    Rule.objects.bulk_create(rules)
    if status != RulesetVersion.Status.DRAFT:
        ruleset.status = status
        ruleset.published_at = timezone.now()
        ruleset.save(update_fields=["status", "published_at"])
    return ruleset


def do_install_default_ruleset() -> RulesetVersion:
    """Install the shipped default ruleset (fixtures/) once; later calls return it."""
    document = json.loads(DEFAULT_RULESET_FILE.read_text())
    existing = RulesetVersion.objects.filter(label=document["version"]).first()
    if existing is not None:
        return existing
    return do_load_ruleset_document(
        document,
        clinic=None,
        label=document["version"],
        status=RulesetVersion.Status.PUBLISHED,
    )


def ruleset_document(ruleset: RulesetVersion) -> dict[str, Any]:
    """The ruleset as a ruleset/1 document (as fixtures/default_ruleset.json)."""
    rules = []
    for rule in ruleset.rules.all():
        entry: dict[str, Any] = {name: getattr(rule, name) for name in RULE_FIELDS}
        entry.update(
            enabled=rule.enabled, locked=rule.locked, tests=rule.tests, **rule.extra
        )
        rules.append(entry)
    return {
        "format": "ruleset/1",
        "version": ruleset.label or f"draft-{ruleset.pk}",
        "settings": ruleset.clinic_settings,
        "rules": rules,
    }


def get_active_ruleset(clinic: Clinic) -> RulesetVersion:
    """The clinic's newest published ruleset, or the shipped default."""
    ruleset = (
        RulesetVersion.objects.filter(
            clinic=clinic, status=RulesetVersion.Status.PUBLISHED
        )
        .order_by("-number")
        .first()
    )
    return ruleset or do_install_default_ruleset()


def get_engine_ruleset(ruleset: RulesetVersion) -> engine.Ruleset:
    """The engine's compiled form of a stored ruleset."""
    if ruleset.status == RulesetVersion.Status.DRAFT:
        return engine.ruleset_from_dict(ruleset_document(ruleset))
    if ruleset.pk not in _compiled:
        _compiled[ruleset.pk] = engine.ruleset_from_dict(ruleset_document(ruleset))
    return _compiled[ruleset.pk]


def get_engine_ruleset_by_label(label: str) -> engine.Ruleset:
    """A published ruleset by its version id ("default-1", "<clinic-slug>-<n>")."""
    ruleset = RulesetVersion.objects.filter(
        label=label,
        status__in=[RulesetVersion.Status.PUBLISHED, RulesetVersion.Status.SUPERSEDED],
    ).first()
    if ruleset is None:
        if label == engine.load_default_ruleset().version:
            return engine.load_default_ruleset()
        raise UnknownRulesetError(label)
    return get_engine_ruleset(ruleset)
