from django.db import migrations

LOCATIONS = [
    ("rotterdam", "Rotterdam"),
    ("zoetermeer", "Zoetermeer"),
]

APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION clinic_access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER clinic_access_log_append_only
    BEFORE UPDATE OR DELETE ON clinic_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION clinic_access_log_append_only();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS clinic_access_log_append_only ON clinic_accesslogentry;
DROP FUNCTION IF EXISTS clinic_access_log_append_only();
"""


def create_locations(apps, schema_editor):
    Location = apps.get_model("clinic", "Location")
    for slug, name in LOCATIONS:
        Location.objects.update_or_create(
            slug=slug, defaults={"name": name, "timezone": "Europe/Amsterdam"}
        )


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL)


def drop_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0001_initial")]

    operations = [
        migrations.RunPython(create_locations, migrations.RunPython.noop),
        migrations.RunPython(append_only, drop_append_only),
    ]
