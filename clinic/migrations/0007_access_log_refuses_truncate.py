from django.db import migrations

# The row triggers of 0002 do not fire on TRUNCATE; a statement trigger refuses it too, so
# only the tables' owner (who could drop the trigger anyway) may empty the access log.
TRUNCATE_SQL = """
CREATE OR REPLACE FUNCTION clinic_access_log_no_truncate() RETURNS trigger AS $$
BEGIN
    -- The tables' owner may (it could drop this trigger anyway, and the test suite's flush
    -- truncates as the owner); every other role, the application's included, is refused
    -- even when a grant would let it.
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the access log is append-only: it cannot be truncated';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER clinic_access_log_no_truncate
    BEFORE TRUNCATE ON clinic_accesslogentry
    FOR EACH STATEMENT EXECUTE FUNCTION clinic_access_log_no_truncate();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS clinic_access_log_no_truncate ON clinic_accesslogentry;
DROP FUNCTION IF EXISTS clinic_access_log_no_truncate();
"""


def no_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRUNCATE_SQL)


def drop_no_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0006_access_log_export")]

    operations = [migrations.RunPython(no_truncate, drop_no_truncate)]
