"""Sign-offs keep their hash format; PostgreSQL keeps a signed intake signed (issue 13).

Every existing sign-off is format 1 and keeps verifying under it; new ones are format
2 (review_hashes). `identity_sha256` holds format 2's per-identifier hashes ({} for
format 1).

On PostgreSQL a trigger refuses a status change away from signed/amended while the
intake has a sign-off row (F7): the app role can no longer reopen a signed intake by
flipping its status. Like the audit and sign-off triggers (0005, 0006), SQLite gets
none; the app decides "signed" from the sign-off row and verify_audit reports an intake
whose status disagrees with its sign-offs.
"""

from django.db import migrations, models

CREATE = """
CREATE FUNCTION intake_refuse_unsigning() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status IN ('signed', 'amended')
       AND NEW.status NOT IN ('signed', 'amended')
       AND EXISTS (SELECT 1 FROM screening_signoff WHERE intake_id = OLD.id) THEN
        RAISE EXCEPTION 'intake % is signed: status % refused', OLD.id, NEW.status;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER intake_stays_signed BEFORE UPDATE OF status ON screening_intake
    FOR EACH ROW EXECUTE FUNCTION intake_refuse_unsigning();
"""

DROP = """
DROP TRIGGER IF EXISTS intake_stays_signed ON screening_intake;
DROP FUNCTION IF EXISTS intake_refuse_unsigning();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("screening", "0008_rule_threshold_text")]

    operations = [
        migrations.AddField(
            model_name="signoff",
            name="hash_format",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="signoff",
            name="identity_sha256",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
