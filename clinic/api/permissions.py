"""Role checks for views. Per-object access is the view's queryset: what a user may not
see is simply not in it, so "not yours" is a 404 and never reveals that it exists."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from clinic.models import CLINICAL_ROLES, STAFF_ROLES, Role


class RoleAllowed(BasePermission):
    """Allows the roles a view lists in ``roles``, or in ``roles_for[<action>]``.

    ``roles_for`` keys are viewset actions ("list", "create", "advance", ...) or, on plain
    APIViews, lowercase HTTP methods.
    """

    message = _("Your role may not do this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        key = getattr(view, "action", None) or request.method.lower()
        roles = getattr(view, "roles_for", {}).get(key, getattr(view, "roles", None))
        if roles is None:
            return True
        return user.role in roles


STAFF = STAFF_ROLES
CLINICAL = CLINICAL_ROLES
EVERYONE = frozenset(Role.values)
PATIENT_ONLY = frozenset({Role.PATIENT})
