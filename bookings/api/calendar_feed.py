"""HTTP layer of bookings: the clinician's private calendar feed."""

from __future__ import annotations

import json
from datetime import timedelta

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings import selectors
from bookings.calendar import clinician_calendar
from bookings.serializers import CalendarFeedCreatedSerializer, CalendarFeedStatusSerializer
from bookings.services.calendar_feeds import (
    calendar_feed_mark_used,
    calendar_feed_regenerate,
    calendar_feed_revoke,
    feed_token_hash,
)
from clinic.api.permissions import RoleAllowed
from clinic.models import Clinician, Role


def _own_clinician(request) -> Clinician:
    clinician = Clinician.objects.filter(user=request.user).first()
    if clinician is None:
        raise PermissionDenied("Only clinicians have a calendar feed.")
    return clinician


class CalendarFeedView(APIView):
    """The signed-in clinician's private calendar feed: status, or revoke it."""

    permission_classes = [RoleAllowed]
    roles = frozenset({Role.CLINICIAN})

    @extend_schema(responses={200: CalendarFeedStatusSerializer})
    def get(self, request):
        feed = selectors.calendar_feed_of(clinician=_own_clinician(request))
        return Response(
            CalendarFeedStatusSerializer(
                {
                    "active": feed is not None,
                    "created_at": feed.created_at if feed else None,
                    "last_used_at": feed.last_used_at if feed else None,
                }
            ).data
        )

    @extend_schema(responses={204: None})
    def delete(self, request):
        """Revoke: the feed URL stops working."""
        calendar_feed_revoke(clinician=_own_clinician(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarFeedRegenerateView(APIView):
    """A new secret feed URL for the signed-in clinician; the previous one stops working."""

    permission_classes = [RoleAllowed]
    roles = frozenset({Role.CLINICIAN})

    @extend_schema(request=None, responses={201: CalendarFeedCreatedSerializer})
    def post(self, request):
        clinician = _own_clinician(request)
        token = calendar_feed_regenerate(clinician=clinician)
        feed = selectors.calendar_feed_of(clinician=clinician)
        url = request.build_absolute_uri(f"/api/v1/calendar/{token}.ics")
        return Response(
            CalendarFeedCreatedSerializer({"url": url, "created_at": feed.created_at}).data,
            status=status.HTTP_201_CREATED,
        )


class ICalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()  # an error's problem details


class _FirstRenderer(BaseContentNegotiation):
    """Calendar apps send all kinds of Accept headers; the feed is always iCalendar."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class CalendarFeedICalView(APIView):
    """The feed itself, for calendar apps: the secret token in the URL is the credential."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [ICalendarRenderer]
    content_negotiation_class = _FirstRenderer

    @extend_schema(
        auth=[],
        responses={(200, "text/calendar"): OpenApiTypes.STR},
    )
    def get(self, request, token: str):
        feed = selectors.calendar_feed_by_token_hash(feed_token_hash(token))
        if feed is None:
            raise NotFound("No calendar feed at this address (it may have been revoked).")
        now = timezone.now()
        calendar_feed_mark_used(feed=feed, now=now)
        appointments = selectors.calendar_feed_appointments(
            clinician=feed.clinician,
            since=now - timedelta(days=30),
            until=now + timedelta(days=365),
        )
        body = clinician_calendar(
            clinician=feed.clinician,
            appointments=appointments,
            now=now,
            domain=request.get_host().split(":")[0] or "clinic",
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "private, max-age=300"
        return response
