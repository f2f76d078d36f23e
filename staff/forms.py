"""Forms of the staff site: they read the browser's input; the services decide."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.models import CancelReason
from clinic.time import CLINIC_TZ
from escalations.models import ResolutionOutcome


class MoveForm(forms.Form):
    incomplete = _("Give the new date and time.")
    # The browser's date and time inputs speak ISO, whatever the page's language.
    date = forms.DateField(
        label=_("New date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(
        label=_("New time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def start(self) -> datetime:
        # Clinic wall-clock time; a time that does not exist is refused by the service.
        return datetime.combine(
            self.cleaned_data["date"], self.cleaned_data["time"], tzinfo=CLINIC_TZ
        )

    def service_arguments(self) -> dict:
        return {"start": self.start()}


class CancelForm(forms.Form):
    incomplete = _("Choose a reason for the cancellation.")
    reason = forms.ChoiceField(label=_("Reason"), choices=CancelReason.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def service_arguments(self) -> dict:
        return self.cleaned_data


class ResolveForm(forms.Form):
    # Urgent and high escalations need an outcome and a note (the service says so).
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", "—"), *ResolutionOutcome.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Resolution note"), max_length=5000, required=False, widget=forms.Textarea
    )
