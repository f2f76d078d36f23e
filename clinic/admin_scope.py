"""The location wall of the admin: one mixin that every registered admin class uses.

Each admin says what its rows belong to (``staff_scope``: a function of the user giving a
Q, built from the same visibility rules as the API's selectors), or that it is clinic-wide
configuration (``CLINIC_WIDE``). From that one answer the mixin scopes the changelist,
search, date drill-down and actions (all start from ``get_queryset``), the change, delete
and history views (another location's object answers 404, as in the API), the choices of
list filters and of foreign-key fields and autocompletes (only what the user may see).

``superuser_only`` hides a model from staff (outbox, tokens, groups); ``clinical`` hides it
from the front desk, whatever permissions a group holds.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.filters import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import Q
from django.http import Http404

from clinic.models import STAFF_ROLES, Role, User
from clinic.selectors import location_ids_of, patient_filter_for


def CLINIC_WIDE(user: User) -> Q:  # noqa: N802 - a marker used like a constant
    """Clinic-wide configuration (appointment types, the exercise library): no location."""
    return Q()


def by_patient(prefix: str = "") -> Callable[[User], Q]:
    """Rows of patients the user may see (``prefix`` is the path to the patient)."""
    return lambda user: patient_filter_for(user, prefix=prefix)


def by_location(field: str) -> Callable[[User], Q]:
    """Rows at the user's locations (``field`` is the path to the location)."""
    return lambda user: Q(**{f"{field}__in": location_ids_of(user)})


def is_staff_member(user) -> bool:
    return user.is_active and (user.is_superuser or (user.is_staff and user.role in STAFF_ROLES))


class LocationScopedAdminMixin:
    """Put first in the bases of every ModelAdmin (see the module docstring)."""

    staff_scope: Callable[[User], Q] | None = None
    superuser_only: bool = False
    clinical: bool = False

    def __init__(self, model, admin_site):
        if self.staff_scope is None and not self.superuser_only:
            raise ImproperlyConfigured(
                f"{type(self).__name__}: say whose rows these are (staff_scope), "
                "CLINIC_WIDE, or superuser_only."
            )
        super().__init__(model, admin_site)

    # --- who may see the model at all ------------------------------------------------------

    def _staff_may(self, request) -> bool:
        user = request.user
        if user.is_superuser:
            return True
        if self.superuser_only or not is_staff_member(user):
            return False
        return not (self.clinical and user.role == Role.FRONT_DESK)

    def has_module_permission(self, request):
        return self._staff_may(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._staff_may(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._staff_may(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._staff_may(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._staff_may(request) and super().has_delete_permission(request, obj)

    # --- which rows -------------------------------------------------------------------------

    def scope_q(self, request) -> Q:
        if request.user.is_superuser:
            return Q()
        if not self._staff_may(request):
            return Q(pk__in=[])
        # Read from the class: a plain function stored on a class would bind to self.
        return type(self).staff_scope(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        scoped = queryset.filter(self.scope_q(request))
        # Scopes over a many-valued relation (a user's locations) can repeat a row.
        return scoped.distinct() if self.scope_is_many_valued else scoped

    scope_is_many_valued: bool = False

    def get_object(self, request, object_id, from_field=None):
        """Not yours, or not there: 404 (the admin would redirect with "does not exist")."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def get_field_queryset(self, db, db_field, request):
        """Choices of a relation field (select, raw id, autocomplete validation): only rows
        the user may see in the related model's own admin."""
        related_admin = self.admin_site._registry.get(db_field.remote_field.model)
        if isinstance(related_admin, LocationScopedAdminMixin):
            return related_admin.get_queryset(request)
        return super().get_field_queryset(db, db_field, request)

    def get_list_filter(self, request):
        """Relation filters offer only values found in the user's own rows."""
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and self._is_relation_path(entry):
                entry = (entry, RelatedOnlyFieldListFilter)
            filters.append(entry)
        return filters

    def _is_relation_path(self, path: str) -> bool:
        try:
            return get_fields_from_path(self.model, path)[-1].is_relation
        except (FieldDoesNotExist, NotRelationField):
            return False


def register_superuser_only(*models) -> None:
    """Keep ``models`` of other packages (groups, tokens, authenticators) from staff: their
    package's admin class is registered again behind the wall, for a superuser only. The
    packages come before the clinic's apps in INSTALLED_APPS, so their admin is there."""
    for model in models:
        package_admin = type(admin.site.get_model_admin(model))

        class SuperuserOnlyAdmin(LocationScopedAdminMixin, package_admin):
            superuser_only = True

        admin.site.unregister(model)
        admin.site.register(model, SuperuserOnlyAdmin)
