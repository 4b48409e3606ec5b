"""PostgreSQL: take the audit chain's lock and read its head in one statement.

audit.record() used to send `SELECT pg_advisory_xact_lock(k)` and then the head query:
two round trips on every audited request. A plain `SELECT ... FROM t, pg_advisory_xact_lock(k)`
would not do: its snapshot is taken before the lock is granted, so it could miss the row
the previous holder committed. A VOLATILE function's queries take a fresh snapshot each,
so the head read after PERFORM sees every row committed before the lock was ours.
SQLite needs nothing (its writers are serialised).
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION screening_audit_chain_head(lock_key bigint)
RETURNS TABLE (seq bigint, row_hash varchar, occurred_at timestamptz)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY
        SELECT e.seq, e.row_hash, e.occurred_at
        FROM screening_auditevent AS e
        ORDER BY e.seq DESC
        LIMIT 1;
END $$;
"""

DROP = "DROP FUNCTION IF EXISTS screening_audit_chain_head(bigint);"


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("screening", "0006_review_signoff")]

    operations = [migrations.RunPython(create_function, drop_function)]
