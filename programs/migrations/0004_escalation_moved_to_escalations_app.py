# The Escalation model moved to the escalations app, which keeps its table
# (programs_escalation): the model leaves this app's state only, no table is dropped.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('escalations', '0001_initial'),
        ('notifications', '0002_escalation_moved_to_escalations_app'),
        ('programs', '0003_checkin_check_in_list_order'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Escalation')],
            database_operations=[],
        ),
    ]
