"""API routes of the supervision app (mounted under /api/)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("supervision/inspections", api.InspectionViewSet, basename="inspection")
router.register("supervision/findings", api.FindingViewSet, basename="finding")
router.register("supervision/accountability", api.AccountabilityViewSet, basename="accountability")
router.register("supervision/recognitions", api.RecognitionViewSet, basename="recognition")
urlpatterns = [path("supervision/figures/", api.FiguresView.as_view(), name="supervision-figures"), *router.urls]
