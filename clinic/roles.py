"""The staff roles as Django groups: which model permissions each role has in the staff site.

A manager, the front desk and a clinician are staff (they may sign in to the staff site),
never superusers; what they may do there comes from their role's group. A superuser comes
only from ``createsuperuser``. The groups are made by a data migration and kept in step
after every ``migrate`` (post_migrate), so a model added later gets its permissions too.

The front desk gets no permission on a clinical model; the admin's scoping mixin refuses
those to the desk as well, whatever the groups say.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import transaction

from clinic.models import Role

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
EDIT = (VIEW, ADD, CHANGE)
ALL = (VIEW, ADD, CHANGE, DELETE)

# Group names, one per staff role.
ROLE_GROUPS: dict[str, str] = {
    Role.MANAGER: "manager",
    Role.FRONT_DESK: "front desk",
    Role.CLINICIAN: "clinician",
}

# Models with clinical content: never the front desk's.
CLINICAL_MODELS = frozenset(
    {
        "assessments.injuryepisode",
        "assessments.assessment",
        "programs.program",
        "programs.prescription",
        "programs.prescriptionloadchange",
        "programs.steptransition",
        "programs.checkin",
        "escalations.escalation",
    }
)

# Model permissions: "app_label.model" -> actions.

# The schedule as the front desk and the clinicians use it: the week of every clinician of
# their locations, appointments booked, moved and cancelled.
SCHEDULE: dict[str, tuple[str, ...]] = {
    "clinic.location": (VIEW,),
    "clinic.clinician": (VIEW,),
    "bookings.appointmenttype": (VIEW,),
    "bookings.workinghours": (VIEW,),
    "bookings.scheduleexception": (VIEW,),
    "bookings.appointment": (VIEW, CHANGE),
    "bookings.appointmentchange": (VIEW,),
}

# The clinical records as a clinician works with them; a manager has the same.
CLINICAL_WORK: dict[str, tuple[str, ...]] = {
    "programs.program": (VIEW, CHANGE),
    "programs.prescription": (VIEW,),
    "programs.prescriptionloadchange": (VIEW,),
    "programs.steptransition": (VIEW,),
    "programs.checkin": (VIEW,),
    "escalations.escalation": (VIEW, CHANGE),
    "assessments.injuryepisode": (VIEW,),
    "assessments.assessment": (VIEW,),
}

# Users and groups are kept by a superuser: managers see the accounts of their locations
# and change none (a role or a password is not theirs to set). The outbox, calendar-feed
# tokens and JWT tables have no permissions here: superuser only.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.MANAGER: {
        "clinic.location": (VIEW,),
        "clinic.user": (VIEW,),
        "clinic.clinician": (VIEW, CHANGE),
        "clinic.patient": EDIT,
        "clinic.accesslogentry": (VIEW,),
        "bookings.appointmenttype": EDIT,
        "bookings.workinghours": ALL,
        "bookings.scheduleexception": ALL,
        "bookings.appointment": (VIEW, CHANGE),
        "bookings.appointmentchange": (VIEW,),
        "programs.exercise": EDIT,
        **CLINICAL_WORK,
        "notifications.notificationpreference": (VIEW, CHANGE),
        "accounts.authevent": (VIEW,),
        "accounts.appinvitation": (VIEW,),
        # A location's clinical thresholds, severities and exit criteria, and their audit.
        "clinical_rules.rulesetting": ALL,
        "clinical_rules.rulesettingchange": (VIEW,),
        "escalations.ruleseverity": ALL,
        "programs.exitcriteriasetting": ALL,
    },
    Role.FRONT_DESK: {
        **SCHEDULE,
        "clinic.patient": EDIT,
        "notifications.notificationpreference": (VIEW, CHANGE),
    },
    Role.CLINICIAN: {
        **SCHEDULE,
        "clinic.patient": (VIEW, CHANGE),
        "programs.exercise": (VIEW,),
        **CLINICAL_WORK,
        "notifications.notificationpreference": (VIEW,),
    },
}


def role_groups_sync(apps=global_apps) -> None:
    """Create the role groups and give each exactly its permissions. ``apps`` is the app
    registry, or a migration's historical one; models it does not know are skipped."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    with transaction.atomic():
        for role, name in ROLE_GROUPS.items():
            group, _ = Group.objects.get_or_create(name=name)
            wanted = [
                (label.split(".")[0], f"{action}_{label.split('.')[1]}")
                for label, actions in ROLE_PERMISSIONS[role].items()
                for action in actions
            ]
            permissions = [
                permission
                for permission in Permission.objects.filter(
                    codename__in={codename for _, codename in wanted}
                ).select_related("content_type")
                if (permission.content_type.app_label, permission.codename) in wanted
            ]
            group.permissions.set(permissions)


def role_group_assign(*, user) -> None:
    """Put a staff account in its role's group (and no other role group)."""
    Group = global_apps.get_model("auth", "Group")
    others = Group.objects.filter(name__in=ROLE_GROUPS.values())
    user.groups.remove(*others.exclude(name=ROLE_GROUPS.get(user.role)))
    if user.role in ROLE_GROUPS:
        user.groups.add(Group.objects.get(name=ROLE_GROUPS[user.role]))


def sync_after_migrate(sender, app_config=None, apps=global_apps, **kwargs):
    """post_migrate: after the last app's permissions exist, bring the groups up to date."""
    last = list(global_apps.get_app_configs())[-1]
    if app_config is not None and app_config.label == last.label:
        role_groups_sync(apps)
