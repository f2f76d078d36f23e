from django.db import migrations

# Like the access log (clinic 0007): TRUNCATE skips row triggers, so a statement trigger
# refuses it.
TRUNCATE_SQL = """
CREATE OR REPLACE FUNCTION accounts_auth_event_no_truncate() RETURNS trigger AS $$
BEGIN
    -- The tables' owner may (it could drop this trigger anyway, and the test suite's flush
    -- truncates as the owner); every other role, the application's included, is refused
    -- even when a grant would let it.
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the authentication event log is append-only: it cannot be truncated';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auth_event_no_truncate
    BEFORE TRUNCATE ON accounts_authevent
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auth_event_no_truncate();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS accounts_auth_event_no_truncate ON accounts_authevent;
DROP FUNCTION IF EXISTS accounts_auth_event_no_truncate();
"""


def no_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRUNCATE_SQL)


def drop_no_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_sign_in_events")]

    operations = [migrations.RunPython(no_truncate, drop_no_truncate)]
