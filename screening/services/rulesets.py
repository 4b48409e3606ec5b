"""Rulesets in the database: the shipped default, drafts, the publish gate."""

import functools
import json
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from screening import compiled, engine
from screening.models import Clinic, Rule, RulesetVersion

DEFAULT_RULESET_FILE = Path(settings.BASE_DIR) / "fixtures" / "default_ruleset.json"

# Published rulesets never change, so their compiled form is cached. The key holds the
# publishing time too: a test database rolled back reuses primary keys.
_compiled: dict[tuple[int, Any], engine.Ruleset] = {}


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
    by: User | None = None,
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
            if key
            not in (
                *RULE_FIELDS,
                "enabled",
                "locked",
                "tests",
                "retired",
                "threshold_text",
            )
        }
        rules.append(
            Rule(
                ruleset=ruleset,
                position=position,
                enabled=rule.get("enabled", True),
                locked=rule.get("locked", False),
                tests=rule.get("tests", []),
                # Optional in ruleset/1: a document written before it reads as "".
                threshold_text=rule.get("threshold_text", ""),
                is_retired=rule.get("retired", False),
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


@functools.cache
def default_ruleset_document() -> dict[str, Any]:
    """The shipped default ruleset/1 document (fixtures/), read once per process."""
    document: dict[str, Any] = json.loads(DEFAULT_RULESET_FILE.read_text())
    return document


class MissingDefaultRulesetError(Exception):
    pass


NO_DEFAULT: Final = (
    "The default ruleset is not installed: run 'manage.py migrate' "
    "(or 'manage.py setup_demo' after 'manage.py flush')."
)


def get_default_ruleset() -> RulesetVersion:
    """The shipped default ruleset, as the install_default_ruleset migration left it."""
    ruleset = RulesetVersion.objects.filter(
        label=default_ruleset_document()["version"]
    ).first()
    if ruleset is None:
        raise MissingDefaultRulesetError(NO_DEFAULT)
    return ruleset


def do_install_default_ruleset() -> RulesetVersion:
    """Install the shipped default ruleset (fixtures/) once; later calls return it.

    The migration installs it; this re-installs it where a flush emptied the tables
    (setup_demo after `manage.py flush`, the tests after a transactional test).
    """
    document = default_ruleset_document()
    existing = RulesetVersion.objects.filter(label=document["version"]).first()
    if existing is not None:
        return existing
    return do_load_ruleset_document(
        document,
        clinic=None,
        label=document["version"],
        status=RulesetVersion.Status.PUBLISHED,
    )


def rule_entry(rule: Rule) -> dict[str, Any]:
    entry: dict[str, Any] = {name: getattr(rule, name) for name in RULE_FIELDS}
    entry.update(
        enabled=rule.enabled, locked=rule.locked, tests=rule.tests, **rule.extra
    )
    if rule.threshold_text:
        entry["threshold_text"] = rule.threshold_text
    return entry


def ruleset_document(ruleset: RulesetVersion) -> dict[str, Any]:
    """The ruleset as the engine reads it: ruleset/1 without its retired rules."""
    return {
        "format": "ruleset/1",
        "version": ruleset.label or f"draft-{ruleset.pk}",
        "settings": ruleset.clinic_settings,
        "rules": [
            rule_entry(rule) for rule in ruleset.rules.all() if not rule.is_retired
        ],
    }


def export_document(ruleset: RulesetVersion) -> dict[str, Any]:
    """The ruleset/1 document to download: every rule with its tests, and the settings.

    Retired rules are kept, marked `"retired": true`, so a re-import never reuses their
    codes; the settings are written out in full, defaults included.
    """
    rules = []
    for rule in ruleset.rules.all():
        entry = rule_entry(rule)
        if rule.is_retired:
            entry["retired"] = True
        rules.append(entry)
    return {
        "format": "ruleset/1",
        "version": ruleset.label or f"draft-{ruleset.pk}",
        "settings": full_settings(ruleset),
        "rules": rules,
    }


def full_settings(ruleset: RulesetVersion) -> dict[str, Any]:
    """Every §6 setting of the ruleset, the defaults filled in."""
    return engine.ClinicSettings.from_dict(ruleset.clinic_settings).to_dict()


def get_active_ruleset(clinic: Clinic) -> RulesetVersion:
    """The clinic's newest published ruleset, or the shipped default (one query,
    compiled once per process: every section save, import and screening reads it)."""
    found = compiled.rows(active_ruleset_query, clinic.pk)
    if not found:
        raise MissingDefaultRulesetError(NO_DEFAULT)
    return found[0]  # type: ignore[return-value]


def active_ruleset_query(clinic_id: Any) -> QuerySet[RulesetVersion]:
    return RulesetVersion.objects.filter(
        Q(clinic_id=clinic_id, status=RulesetVersion.Status.PUBLISHED)
        | Q(label=default_ruleset_document()["version"])
    ).order_by(F("clinic_id").asc(nulls_last=True), "-number")[:1]


def get_engine_ruleset(ruleset: RulesetVersion) -> engine.Ruleset:
    """The engine's compiled form of a stored ruleset."""
    if ruleset.status == RulesetVersion.Status.DRAFT:
        return engine.ruleset_from_dict(ruleset_document(ruleset))
    key = (ruleset.pk, ruleset.published_at)
    if key not in _compiled:
        _compiled[key] = engine.ruleset_from_dict(ruleset_document(ruleset))
    return _compiled[key]


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


def get_draft(clinic: Clinic) -> RulesetVersion | None:
    """The clinic's open draft, if any."""
    return RulesetVersion.objects.filter(
        clinic=clinic, status=RulesetVersion.Status.DRAFT
    ).first()


def list_versions(clinic: Clinic) -> QuerySet[RulesetVersion]:
    """The clinic's published versions, newest first (not the shipped default)."""
    return RulesetVersion.objects.filter(
        clinic=clinic,
        status__in=[RulesetVersion.Status.PUBLISHED, RulesetVersion.Status.SUPERSEDED],
    ).order_by("-number")


def list_comparable_versions(clinic: Clinic) -> list[RulesetVersion]:
    """The versions a clinic user may compare: the default, its own, its draft."""
    versions = [get_default_ruleset(), *list_versions(clinic).reverse()]
    draft = get_draft(clinic)
    return [*versions, draft] if draft else versions


DIFF_FIELDS: Final = (
    "title",
    "severity",
    "expression",
    "threshold_text",
    "message",
    "source",
    "enabled",
    "is_retired",
    "tests",
)


def list_added_rules(old: RulesetVersion, new: RulesetVersion) -> list[Rule]:
    """The rules of `new` whose codes `old` does not have, with their content."""
    codes = old.rules.values_list("code", flat=True)
    return list(new.rules.exclude(code__in=codes).order_by("code"))


def diff_rulesets(old: RulesetVersion, new: RulesetVersion) -> dict[str, Any]:
    """What changed from one version to another: rules added, removed, retired,
    changed field by field, and settings changed."""
    before = {rule.code: rule for rule in old.rules.all()}
    after = {rule.code: rule for rule in new.rules.all()}
    changed = []
    for code in sorted(before.keys() & after.keys()):
        fields = [
            {
                "field": name,
                "old": getattr(before[code], name),
                "new": getattr(after[code], name),
            }
            for name in DIFF_FIELDS
            if getattr(before[code], name) != getattr(after[code], name)
        ]
        if fields:
            changed.append({"code": code, "fields": fields})
    old_settings, new_settings = full_settings(old), full_settings(new)
    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": changed,
        "settings": [
            {"name": name, "old": old_settings[name], "new": new_settings[name]}
            for name in old_settings
            if old_settings[name] != new_settings[name]
        ],
    }
