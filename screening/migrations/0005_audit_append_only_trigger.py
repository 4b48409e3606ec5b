"""PostgreSQL refuses UPDATE and DELETE on audit rows, superusers included (security.md §3.2).

SQLite gets nothing: a DELETE trigger there would break Django's test flush, which deletes
rows; the ORM guard prevents and the hash chain detects. TRUNCATE is refused in production
by the app role's grants, not by a trigger, because the test flush truncates on PostgreSQL.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit log is append-only: % refused', TG_OP; END $$;
CREATE TRIGGER auditevent_append_only BEFORE UPDATE OR DELETE ON screening_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS auditevent_append_only ON screening_auditevent;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("screening", "0004_recovery_codes")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
