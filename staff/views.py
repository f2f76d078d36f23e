"""Views of the staff site: the desk's calendar and bookings, patient search, and the
clinician's page. Views read the request and call the same services as the API, so a
refusal here has the API's words; reads of a patient's record go to the access log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import wraps

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.models import AppointmentType
from bookings.selectors import (
    appointment_types_list,
    appointments_visible_to,
    cancel_note_readable_by,
)
from bookings.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_mark_no_show,
    appointment_reschedule,
)
from clinic.api.access_log import client_address
from clinic.errors import DomainError
from clinic.models import CLINICAL_ROLES, STAFF_ROLES, AccessAction, Role
from clinic.selectors import clinicians_list, patients_visible_to
from clinic.services import access_log_record
from clinic.time import CLINIC_TZ
from escalations.models import UNRESOLVED
from escalations.selectors import escalations_visible_to
from escalations.services import escalation_acknowledge, escalation_resolve
from programs.selectors import ATTENTION_SEVERITY, caseload_for
from staff.forms import CancelForm, MoveForm, ResolveForm
from staff.selectors import (
    calendar_days,
    day_grid,
    default_appointment_type,
    patient_search,
    patient_timeline,
    staff_locations_of,
)

DESK_ROLES = frozenset({Role.FRONT_DESK, Role.MANAGER, Role.CLINICIAN})


def staff_page(roles: Iterable[str] = STAFF_ROLES):
    """Signed in through the admin's login, as staff of one of ``roles``."""
    allowed = frozenset(roles)

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if request.user.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return admin.site.admin_view(checked)

    return decorate


def _page(request, template: str, **context):
    """A page of the staff site, inside the admin's frame."""
    return render(request, template, {**admin.site.each_context(request), **context})


def _log(request, resource: str, reads, *, action=AccessAction.READ) -> None:
    """One access-log entry per (patient id, object id) in ``reads``; none when it is empty."""
    access_log_record(
        actor=request.user,
        patient_ids=[patient_id for patient_id, object_id in reads],
        object_ids=[object_id for patient_id, object_id in reads],
        action=action,
        resource=resource,
        method=request.method,
        path=request.get_full_path(),
        address=client_address(request),
    )


def _patients_found(request, limit: int) -> tuple[str, list]:
    """The search ``q`` and the first ``limit`` of the user's patients it finds; showing
    them is a read of each, in the access log."""
    query = request.GET.get("q", "")
    found = list(patient_search(user=request.user, query=query)[:limit])
    _log(request, "patient", [(p.pk, p.pk) for p in found])
    return query, found


def _refused(request, refusal: DomainError) -> None:
    messages.error(request, refusal.detail)


# --- home -----------------------------------------------------------------------------------


@admin.site.admin_view
def home(request):
    """Each role's own start: the clinician's page, or the calendar; a superuser (who works
    at no location) the records."""
    if request.user.role == Role.CLINICIAN:
        return redirect("staff:clinician")
    if request.user.role in STAFF_ROLES:
        return redirect("staff:calendar")
    return redirect("admin:index")


# --- the calendar ---------------------------------------------------------------------------


def _day_param(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


def _calendar_url(*, day: date, view: str = "day", **params) -> str:
    query = {"date": day.isoformat(), "view": view, **{k: v for k, v in params.items() if v}}
    return f"{reverse('staff:calendar')}?{urlencode(query)}"


def _locations(request, source) -> tuple[list, object]:
    """The user's locations, and the one asked for (or the first); none is a 403."""
    locations = list(staff_locations_of(request.user))
    if not locations:
        raise PermissionDenied
    wanted = str(source.get("location", ""))
    return locations, next((loc for loc in locations if str(loc.pk) == wanted), locations[0])


@staff_page(DESK_ROLES)
def calendar(request):
    """A day (columns per clinician, rows on the slot grid) or a week (a row per day) at
    one of the user's locations: appointments and the free slots of one appointment type."""
    locations, location = _locations(request, request.GET)
    types = list(appointment_types_list())
    kind = next((t for t in types if str(t.pk) == request.GET.get("type")), None)
    kind = kind or default_appointment_type()
    view = "week" if request.GET.get("view") == "week" else "day"
    day = _day_param(request)
    first_day = day - timedelta(days=day.weekday()) if view == "week" else day
    patient = None
    if request.GET.get("patient", "").isdigit():
        patient = patients_visible_to(request.user).filter(pk=request.GET["patient"]).first()
    clinicians, days = calendar_days(
        user=request.user,
        location=location,
        first_day=first_day,
        days=7 if view == "week" else 1,
        appointment_type=kind,
    )
    # The calendar shows patients' names: a read of each appointment, as in the API.
    shown = [a for d in days for column in d.columns for a in column.appointments]
    _log(request, "appointment", [(a.patient_id, a.pk) for a in shown])
    step = timedelta(days=7 if view == "week" else 1)
    keep = {"location": location.pk, "type": kind.pk if kind else None}
    keep["patient"] = patient.pk if patient else None
    return _page(
        request,
        "staff/calendar.html",
        title=_("Calendar"),
        view=view,
        day=day,
        days=days if view == "week" else [day_grid(days[0])],
        clinicians=clinicians,
        location=location,
        locations=locations,
        types=types,
        kind=kind,
        patient=patient,
        keep=keep,
        previous_url=_calendar_url(day=first_day - step, view=view, **keep),
        next_url=_calendar_url(day=first_day + step, view=view, **keep),
        today_url=_calendar_url(day=timezone.localdate(), view=view, **keep),
        day_url=_calendar_url(day=day, view="day", **keep),
        week_url=_calendar_url(day=day, view="week", **keep),
    )


@staff_page(DESK_ROLES)
def book(request):
    """Confirm a free slot for a patient (found by search here when none is chosen yet),
    then book it through the booking service."""
    source = request.POST if request.method == "POST" else request.GET
    clinician = get_object_or_404(clinicians_list(), pk=source.get("clinician") or 0)
    kind = get_object_or_404(AppointmentType, pk=source.get("appointment_type") or 0)
    try:
        start = datetime.fromisoformat(source.get("start", ""))
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        return redirect("staff:calendar")
    location = _locations(request, source)[1]
    patients = patients_visible_to(request.user)
    patient = None
    if str(source.get("patient", "")).isdigit():
        patient = patients.filter(pk=source["patient"]).first()
    if request.method == "POST" and patient is not None:
        try:
            appointment = appointment_book(
                actor=request.user,
                patient_id=patient.pk,
                clinician=clinician,
                location=location,
                appointment_type=kind,
                start=start,
            )
        except DomainError as refusal:
            _refused(request, refusal)
        else:
            local = appointment.start.astimezone(CLINIC_TZ)
            messages.success(
                request,
                _("Booked: %(patient)s with %(clinician)s on %(when)s.")
                % {
                    "patient": patient.name,
                    "clinician": clinician.name,
                    "when": local.strftime("%d-%m-%Y %H:%M"),
                },
            )
            return redirect(_calendar_url(day=local.date(), location=location.pk, type=kind.pk))
    query, found = _patients_found(request, 20)
    return _page(
        request,
        "staff/book.html",
        title=_("Book an appointment"),
        clinician=clinician,
        kind=kind,
        start=start.astimezone(CLINIC_TZ),
        location=location,
        patient=patient,
        query=query,
        found=found,
        slot={
            "clinician": clinician.pk,
            "appointment_type": kind.pk,
            "start": start.isoformat(),
            "location": location.pk,
        },
    )


# --- one appointment: move, cancel, no-show -----------------------------------------------


def _appointment_of(request, pk):
    return get_object_or_404(appointments_visible_to(request.user), pk=pk)


@staff_page(DESK_ROLES)
def appointment(request, pk):
    appointment = _appointment_of(request, pk)
    _log(request, "appointment", [(appointment.patient_id, appointment.pk)])
    local = appointment.start.astimezone(CLINIC_TZ)
    return _page(
        request,
        "staff/appointment.html",
        title=_("Appointment"),
        appointment=appointment,
        local_start=local,
        local_end=appointment.end.astimezone(CLINIC_TZ),
        move_form=MoveForm(initial={"date": local.date(), "time": local.time()}),
        cancel_form=CancelForm(),
        has_started=appointment.start <= timezone.now(),
        may_read_notes=cancel_note_readable_by(request.user),
        calendar_url=_calendar_url(day=local.date(), location=appointment.location_id),
    )


def _appointment_change(request, pk, change, done: str, form=None):
    """Change an appointment through a booking service, with the arguments ``form`` (if
    the change needs one) read from the request. An incomplete form or a refusal (in the
    service's words) goes back to the appointment; a change goes to its day in the
    calendar, saying ``done`` (``%(when)s``: its start)."""
    appointment = _appointment_of(request, pk)
    if form is not None and not form.is_valid():
        messages.error(request, form.incomplete)
        return redirect("staff:appointment", pk=pk)
    arguments = form.service_arguments() if form is not None else {}
    try:
        appointment = change(actor=request.user, appointment=appointment, **arguments)
    except DomainError as refusal:
        _refused(request, refusal)
        return redirect("staff:appointment", pk=pk)
    reads = [(appointment.patient_id, appointment.pk)]
    _log(request, "appointment", reads, action=AccessAction.UPDATE)
    local = appointment.start.astimezone(CLINIC_TZ)
    messages.success(request, done % {"when": local.strftime("%d-%m-%Y %H:%M")})
    return redirect(_calendar_url(day=local.date(), location=appointment.location_id))


@require_POST
@staff_page(DESK_ROLES)
def appointment_move(request, pk):
    form = MoveForm(request.POST)
    return _appointment_change(request, pk, appointment_reschedule, _("Moved to %(when)s."), form)


@require_POST
@staff_page(DESK_ROLES)
def appointment_cancel_view(request, pk):
    form = CancelForm(request.POST)
    return _appointment_change(
        request, pk, appointment_cancel, _("The appointment is cancelled."), form
    )


@require_POST
@staff_page(DESK_ROLES)
def appointment_no_show(request, pk):
    return _appointment_change(request, pk, appointment_mark_no_show, _("Marked as a no-show."))


# --- patients -------------------------------------------------------------------------------


@staff_page()
def patients(request):
    """Search the user's patients by name, date of birth or phone number."""
    query, found = _patients_found(request, 50)
    return _page(
        request,
        "staff/patients.html",
        title=_("Find a patient"),
        query=query,
        found=found,
        clinical=request.user.role in CLINICAL_ROLES,
    )


@staff_page(CLINICAL_ROLES)
def timeline(request, pk):
    patient = get_object_or_404(patients_visible_to(request.user), pk=pk)
    entries = patient_timeline(user=request.user, patient=patient)
    _log(request, "timeline", [(patient.pk, patient.pk)])
    return _page(
        request,
        "staff/timeline.html",
        title=_("Timeline of %(name)s") % {"name": patient.name},
        patient=patient,
        entries=entries,
    )


# --- the clinician's page -----------------------------------------------------------------


@staff_page(CLINICAL_ROLES)
def clinician(request):
    """The caseload, most in need of attention first, and the open escalations."""
    # One row per patient; a flagged patient or a recent intake may have no program yet.
    caseload = list(caseload_for(user=request.user)[:200])
    for row in caseload:
        row.most_severe = ATTENTION_SEVERITY.get(row.escalation_attention)
    escalations = list(
        escalations_visible_to(request.user)
        .filter(status__in=UNRESOLVED)
        .select_related("patient")
        .order_by("attention", "-created_at", "-id")[:100]
    )
    _log(request, "program", [(row.pk, row.program_id) for row in caseload if row.program_id])
    _log(request, "patient", [(row.pk, row.pk) for row in caseload if not row.program_id])
    _log(request, "escalation", [(e.patient_id, e.pk) for e in escalations])
    return _page(
        request,
        "staff/clinician.html",
        title=_("My patients"),
        caseload=caseload,
        escalations=escalations,
        resolve_form=ResolveForm(),
    )


def _escalation_change(request, pk, change, done: str, **arguments):
    escalation = get_object_or_404(escalations_visible_to(request.user), pk=pk)
    try:
        change(escalation=escalation, by=request.user, **arguments)
    except DomainError as refusal:
        _refused(request, refusal)
    else:
        _log(
            request,
            "escalation",
            [(escalation.patient_id, escalation.pk)],
            action=AccessAction.UPDATE,
        )
        messages.success(request, done % {"patient": escalation.patient.name})
    return redirect("staff:clinician")


@require_POST
@staff_page(CLINICAL_ROLES)
def escalation_acknowledge_view(request, pk):
    return _escalation_change(
        request, pk, escalation_acknowledge, _("Escalation of %(patient)s acknowledged.")
    )


@require_POST
@staff_page(CLINICAL_ROLES)
def escalation_resolve_view(request, pk):
    form = ResolveForm(request.POST)
    if not form.is_valid():
        # Not resolved with the note dropped: refused, with why (after the 404 for others').
        get_object_or_404(escalations_visible_to(request.user), pk=pk)
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("staff:clinician")
    return _escalation_change(
        request,
        pk,
        escalation_resolve,
        _("Escalation of %(patient)s resolved."),
        note=form.cleaned_data["note"],
        outcome=form.cleaned_data["outcome"],
    )
