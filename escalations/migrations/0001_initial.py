# The Escalation model moves from the programs app to this one. Its table stays where it
# is (programs_escalation): only Django's state moves, no data is copied.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def content_type_to_escalations(apps, schema_editor):
    """Permissions and admin history follow the model to its new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="programs", model="escalation").update(
        app_label="escalations"
    )


def content_type_to_programs(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="escalations", model="escalation").update(
        app_label="programs"
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('assessments', '0002_assessment_alert_details'),
        ('clinic', '0002_locations_and_append_only_log'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('programs', '0003_checkin_check_in_list_order'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Escalation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rule', models.CharField(max_length=50)),
                        ('severity', models.CharField(choices=[('urgent', 'Urgent'), ('high', 'High'), ('normal', 'Normal')], max_length=10)),
                        ('status', models.CharField(choices=[('open', 'Open'), ('acknowledged', 'Acknowledged'), ('resolved', 'Resolved')], default='open', max_length=15)),
                        ('reason', models.TextField()),
                        ('occurrences', models.PositiveIntegerField(default=1)),
                        ('last_occurred_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True)),
                        ('resolved_at', models.DateTimeField(blank=True, null=True)),
                        ('resolution_note', models.TextField(blank=True)),
                        ('acknowledged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='escalations', to='clinic.patient')),
                        ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('source_assessment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='assessments.assessment')),
                        ('source_check_in', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='programs.checkin')),
                    ],
                    options={
                        'db_table': 'programs_escalation',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['patient', 'status'], name='programs_es_patient_46931b_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status__in', ['open', 'acknowledged'])), fields=('patient', 'rule'), name='one_unresolved_escalation_per_patient_rule'), models.CheckConstraint(condition=models.Q(('severity__in', ['urgent', 'high', 'normal'])), name='escalation_severity_known'), models.CheckConstraint(condition=models.Q(('status__in', ['open', 'acknowledged', 'resolved'])), name='escalation_status_known')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_escalations, content_type_to_programs),
    ]
