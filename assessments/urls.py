from rest_framework.routers import DefaultRouter

from assessments.api import AssessmentViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("assessments", AssessmentViewSet, basename="assessment")

urlpatterns = router.urls
