from rest_framework.routers import DefaultRouter

from programs.api import caseload, check_ins, exercises, programs, rules

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for module in (exercises, programs, check_ins, caseload, rules):
    module.register(router)

urlpatterns = [*rules.urlpatterns, *router.urls]
