"""One group per staff role (manager, front desk, clinician) with its model permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from clinic.roles import role_groups_sync


def create_role_groups(apps, schema_editor):
    # On a fresh database the permissions are made only after migrate (post_migrate);
    # make them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    role_groups_sync(apps)


def drop_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["manager", "front desk", "clinician"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("clinic", "0002_locations_and_append_only_log"),
        ("assessments", "0002_assessment_alert_details"),
        ("programs", "0003_checkin_check_in_list_order"),
        ("bookings", "0004_appointment_busy_at_most_longest"),
        ("notifications", "0001_initial"),
        ("escalations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_role_groups, drop_role_groups)]
