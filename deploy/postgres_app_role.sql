-- Grants of the application's database role (security.md §3.2). Run as the owner role
-- after every `manage.py migrate` (migrations run as the owner, the app never does):
--   psql "$OWNER_URL" -v app_role=intake_app -f deploy/postgres_app_role.sql
-- The app may read and write its tables but only read and append audit rows: no UPDATE,
-- DELETE or TRUNCATE there (the trigger refuses UPDATE and DELETE even for the owner;
-- TRUNCATE is refused only by this grant, because Django's test flush truncates).
GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
REVOKE UPDATE, DELETE, TRUNCATE ON screening_auditevent FROM :"app_role";
GRANT EXECUTE ON FUNCTION screening_audit_chain_head(bigint) TO :"app_role";
