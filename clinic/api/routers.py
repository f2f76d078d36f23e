"""The router every app's API uses: DRF's, without its browsable root (config/urls.py
serves the API's entry points: the schema and its documentation)."""

from rest_framework.routers import DefaultRouter


class ClinicRouter(DefaultRouter):
    include_root_view = False
