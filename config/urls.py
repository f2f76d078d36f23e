from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerView

from accounts.views import StaffLoginView, StaffTwoFactorView
from clinic.api.errors import api_not_found
from clinic.api.views import EnglishSchemaView, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The staff site's sign-in, with a second step for the roles that need two-factor.
    path("admin/login/", StaffLoginView.as_view(), name="staff-login"),
    path("admin/login/two-factor/", StaffTwoFactorView.as_view(), name="staff-two-factor"),
    path("admin/", admin.site.urls),
    path("staff/", include("staff.urls")),
    path("api/v1/", include("clinic.api.urls")),
    path("api/schema/", EnglishSchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # Anything else under /api/ is a problem-details 404, whatever DEBUG says.
    re_path(r"^api/", api_not_found),
]

handler404 = "clinic.api.errors.handler404"
handler500 = "clinic.api.outages.handler500"
