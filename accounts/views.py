"""The staff site's sign-in with a second step (/admin/login/).

After the password, staff whose role needs two-factor (settings.STAFF_2FA) are not signed
in yet: the session holds only a short-lived, signed note of who passed the password step
(the API's mfa_token). The second step asks for an authenticator or recovery code; the first
time, it enrols an authenticator (QR code) and shows ten recovery codes once.
"""

from __future__ import annotations

from base64 import b32encode

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views import View
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import (
    MfaTokenInvalid,
    TwoFactorCodeRefused,
    mfa_token_issue,
    mfa_token_user,
    two_factor_enrol_confirm,
    two_factor_enrol_start,
    two_factor_enrolled,
    two_factor_required,
    two_factor_verify,
)
from accounts.signin import Door, SignInRefused, attempt_begin
from clinic.api.access_log import client_address

PENDING_SIGN_IN = "accounts.pending_sign_in"
PENDING_DEVICE = "accounts.pending_device"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class StaffLoginView(auth_views.LoginView):
    """The admin's login form; staff who need two-factor go on to the second step."""

    template_name = "admin/login.html"
    authentication_form = AdminAuthenticationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(admin.site.each_context(self.request))
        context["app_path"] = self.request.get_full_path()
        context.setdefault("title", "Log in")
        return context

    def get_default_redirect_url(self):
        return reverse("admin:index")

    def post(self, request, *args, **kwargs):
        # The sign-in policy of every door (accounts.signin), before the password is checked.
        try:
            self.attempt = attempt_begin(
                door=Door.STAFF_SIGN_IN,
                username=request.POST.get("username", ""),
                address=client_address(request),
            )
        except SignInRefused as exc:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, exc.detail)
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            response["Retry-After"] = str(exc.extra["retry_after"])
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        self.attempt.failed()
        return super().form_invalid(form)

    def form_valid(self, form):
        user = form.get_user()
        needs_code = two_factor_required(user)
        self.attempt.succeeded(user=user, complete=not needs_code)
        if not needs_code:
            return super().form_valid(form)
        self.request.session[PENDING_SIGN_IN] = mfa_token_issue(user)
        self.request.session.pop(PENDING_DEVICE, None)
        step = reverse("staff-two-factor")
        next_url = self.get_redirect_url()
        return redirect(f"{step}?next={next_url}" if next_url else step)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        ),
    )


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


class StaffTwoFactorView(View):
    """Step two: enrol the first time (QR code, then recovery codes), else check a code."""

    template_name = "accounts/two_factor.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            self.user = mfa_token_user(request.session.get(PENDING_SIGN_IN, ""))
        except MfaTokenInvalid:
            request.session.pop(PENDING_SIGN_IN, None)
            return redirect("admin:login")
        return super().dispatch(request, *args, **kwargs)

    def _next_url(self) -> str:
        url = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return url
        return reverse("admin:index")

    def _device(self) -> TOTPDevice:
        device = TOTPDevice.objects.filter(
            pk=self.request.session.get(PENDING_DEVICE), user=self.user, confirmed=False
        ).first()
        if device is None:
            device = two_factor_enrol_start(user=self.user)
            self.request.session[PENDING_DEVICE] = device.pk
        return device

    def _page(self, form, **context):
        enrolling = not two_factor_enrolled(self.user)
        if enrolling and "recovery_codes" not in context:
            device = self._device()
            context["qr_svg"] = mark_safe(_qr_svg(device.config_url))  # noqa: S308 - our SVG
            context["secret"] = b32encode(device.bin_key).decode()
        return render(
            self.request,
            self.template_name,
            {
                **admin.site.each_context(self.request),
                "title": "Set up two-factor sign-in" if enrolling else "Two-factor sign-in",
                "form": form,
                "enrolling": enrolling,
                "staff_user": self.user,
                "next": self._next_url(),
                **context,
            },
        )

    def get(self, request):
        return self._page(CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self._page(form)
        code, address = form.cleaned_data["code"], client_address(request)
        try:
            attempt = attempt_begin(door=Door.STAFF_TWO_FACTOR, user=self.user, address=address)
        except SignInRefused as exc:
            form.add_error("code", exc.detail)
            response = self._page(form)
            response.status_code = 429
            response["Retry-After"] = str(exc.extra["retry_after"])
            return response
        try:
            if two_factor_enrolled(self.user):
                device = two_factor_verify(user=self.user, code=code, address=address)
                recovery_codes = None
            else:
                recovery_codes = two_factor_enrol_confirm(
                    user=self.user, device_id=self._device().pk, code=code, address=address
                )
                device = TOTPDevice.objects.get(user=self.user, confirmed=True)
        except TwoFactorCodeRefused as exc:
            attempt.failed(record=False)  # two_factor_failed is its event
            form.add_error("code", exc.detail)
            return self._page(form)
        attempt.succeeded(user=self.user)
        next_url = self._next_url()
        request.session.pop(PENDING_SIGN_IN, None)
        request.session.pop(PENDING_DEVICE, None)
        auth_login(request, self.user, backend=MODEL_BACKEND)
        django_otp.login(request, device)
        if recovery_codes:
            # Shown once, now; they are not shown again (new ones replace them).
            return self._page(CodeForm(), recovery_codes=recovery_codes, next=next_url)
        return redirect(next_url)
