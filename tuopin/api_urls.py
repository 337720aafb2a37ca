"""REST API routes (/api/…) and the OpenAPI schema (/api/schema/)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from tuopin.assessment.api import DeterminationViewSet, RollupViewSet, RuleSetViewSet, RunViewSet, StandardViewSet
from tuopin.geo.api import RegionViewSet
from tuopin.registry.api import HouseholdViewSet, MemberViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("households", HouseholdViewSet, basename="household")
router.register("members", MemberViewSet, basename="member")
router.register("assessment/runs", RunViewSet, basename="assessment-run")
router.register("assessment/determinations", DeterminationViewSet, basename="assessment-determination")
router.register("assessment/rollups", RollupViewSet, basename="assessment-rollup")
router.register("policy/standards", StandardViewSet, basename="standard")
router.register("policy/rulesets", RuleSetViewSet, basename="ruleset")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include(router.urls)),
    path("", include("tuopin.programmes.api_urls")),
    path("", include("tuopin.payments.api_urls")),
    path("", include("tuopin.cases.api_urls")),
    path("", include("tuopin.assistance.api_urls")),
    path("", include("tuopin.supervision.api_urls")),
    path("", include("tuopin.exchange.api_urls")),
]
