from clinic.api.routers import ClinicRouter
from programs.api import caseload, check_ins, exercises, programs, rules

router = ClinicRouter()
for module in (exercises, programs, check_ins, caseload, rules):
    module.register(router)

urlpatterns = [*rules.urlpatterns, *router.urls]
