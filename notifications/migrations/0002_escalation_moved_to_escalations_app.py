# The Escalation model moved to the escalations app with its table (programs_escalation),
# so the foreign key points at the same table: state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('escalations', '0001_initial'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='notification',
                    name='escalation',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='escalations.escalation'),
                ),
            ],
            database_operations=[],
        ),
    ]
