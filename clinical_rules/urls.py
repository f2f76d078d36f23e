from django.urls import path
from rest_framework.routers import DefaultRouter

from clinical_rules import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
api.register(router)

urlpatterns = [path("rules/", api.RuleListView.as_view(), name="rules"), *router.urls]
