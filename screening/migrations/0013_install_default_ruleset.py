"""Install the shipped default ruleset, "default-1", as a published version.

Every clinic screens with it until it publishes its own, so a fresh database must hold it
before the first screening: reads (get_active_ruleset) never write. The rows are those
services/rulesets.do_load_ruleset_document writes for fixtures/default_ruleset.json; a
database that already holds "default-1" (installed on first use before this migration)
keeps it.
"""

import json
from pathlib import Path

from django.conf import settings
from django.db import migrations
from django.utils import timezone

RULE_FIELDS = ("code", "title", "severity", "expression", "message", "source")
NOT_EXTRA = (*RULE_FIELDS, "enabled", "locked", "tests", "retired", "threshold_text")


def install_default_ruleset(apps, schema_editor):
    RulesetVersion = apps.get_model("screening", "RulesetVersion")
    Rule = apps.get_model("screening", "Rule")
    path = Path(settings.BASE_DIR) / "fixtures" / "default_ruleset.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    if RulesetVersion.objects.filter(label=document["version"]).exists():
        return
    # The historical manager has no published-version guard, so the version is stored
    # published at once rather than as a draft published once complete.
    ruleset = RulesetVersion.objects.create(
        clinic=None,
        label=document["version"],
        number=1,
        status="published",
        published_at=timezone.now(),
        clinic_settings=document.get("settings", {}),
        created_by=None,
        origin="shipped",
    )
    Rule.objects.bulk_create(
        Rule(
            ruleset=ruleset,
            position=position,
            enabled=rule.get("enabled", True),
            locked=rule.get("locked", False),
            tests=rule.get("tests", []),
            threshold_text=rule.get("threshold_text", ""),
            is_retired=rule.get("retired", False),
            extra={key: value for key, value in rule.items() if key not in NOT_EXTRA},
            **{name: rule[name] for name in RULE_FIELDS},
        )
        for position, rule in enumerate(document["rules"])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0012_section_drafts"),
    ]

    operations = [
        migrations.RunPython(install_default_ruleset, migrations.RunPython.noop),
    ]
