"""A plain-language threshold line per rule, filled in for the rules already stored.

"default-1" is defined by fixtures/default_ruleset.json, and the database keeps the copy
installed before the line existed. Its rules, and every clinic rule that still has the
shipped condition, get the shipped line: the same condition, the same words. A rule
whose condition a clinic changed keeps an empty line (the summary then shows none)
until a rule admin writes one in a draft.
"""

import json
from pathlib import Path

from django.conf import settings
from django.db import migrations, models


def _shipped_lines():
    path = Path(settings.BASE_DIR) / "fixtures" / "default_ruleset.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    return {
        rule["code"]: (" ".join(rule["expression"].split()), rule["threshold_text"])
        for rule in document["rules"]
        if rule.get("threshold_text")
    }


def fill_threshold_lines(apps, schema_editor):
    Rule = apps.get_model("screening", "Rule")
    lines = _shipped_lines()
    changed = []
    for rule in Rule.objects.filter(code__in=lines, threshold_text=""):
        expression, text = lines[rule.code]
        if " ".join(rule.expression.split()) == expression:
            rule.threshold_text = text
            changed.append(rule)
    # The historical manager has no published-version guard: this adds words to a new
    # column, it changes no condition, severity or result.
    Rule.objects.bulk_update(changed, ["threshold_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0007_audit_chain_head_function"),
    ]

    operations = [
        migrations.AddField(
            model_name="rule",
            name="threshold_text",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.RunPython(fill_threshold_lines, migrations.RunPython.noop),
    ]
