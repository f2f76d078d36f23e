"""No double booking, enforced by PostgreSQL: two servers racing cannot both win.

Exclusion constraints over the clinician's busy time ([start, buffer_end)) and the
patient's time ([start, end)) of active (booked or completed) appointments. SQLite has no
exclusion constraints; there the booking service serialises check-and-insert instead.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

ACTIVE = "('booked', 'completed')"

CREATE_SQL = [
    f"""
    ALTER TABLE bookings_appointment
        ADD CONSTRAINT appointment_clinician_no_overlap
        EXCLUDE USING gist (clinician_id WITH =, tstzrange("start", "buffer_end", '[)') WITH &&)
        WHERE (status IN {ACTIVE})
    """,
    f"""
    ALTER TABLE bookings_appointment
        ADD CONSTRAINT appointment_patient_no_overlap
        EXCLUDE USING gist (patient_id WITH =, tstzrange("start", "end", '[)') WITH &&)
        WHERE (status IN {ACTIVE})
    """,
]
DROP_SQL = [
    "ALTER TABLE bookings_appointment DROP CONSTRAINT IF EXISTS appointment_clinician_no_overlap",
    "ALTER TABLE bookings_appointment DROP CONSTRAINT IF EXISTS appointment_patient_no_overlap",
]


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE_SQL:
            schema_editor.execute(sql)


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP_SQL:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [
        # Creating the extension is itself skipped on databases other than PostgreSQL.
        BtreeGistExtension(),
        migrations.RunPython(add_constraints, drop_constraints),
    ]
