from django.db import migrations

# Like the access log (clinic 0002): the database itself refuses to change or delete events.
APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION accounts_auth_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the authentication event log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auth_event_append_only
    BEFORE UPDATE OR DELETE ON accounts_authevent
    FOR EACH ROW EXECUTE FUNCTION accounts_auth_event_append_only();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS accounts_auth_event_append_only ON accounts_authevent;
DROP FUNCTION IF EXISTS accounts_auth_event_append_only();
"""


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL)


def drop_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(append_only, drop_append_only)]
