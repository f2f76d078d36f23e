from assessments.api import AssessmentViewSet
from clinic.api.routers import ClinicRouter

router = ClinicRouter()
router.register("assessments", AssessmentViewSet, basename="assessment")

urlpatterns = router.urls
