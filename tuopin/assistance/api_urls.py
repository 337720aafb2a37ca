"""API routes of the assistance app (mounted under /api/)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("assistance/secretaries", api.SecretaryViewSet, basename="secretary")
router.register("assistance/letters", api.LetterViewSet, basename="letter")
router.register("assistance/leader-visits", api.LeaderVisitViewSet, basename="leader-visit")
router.register("assistance/cadres", api.CadreViewSet, basename="cadre")
router.register("assistance/pairings", api.PairingViewSet, basename="pairing")
router.register("assistance/work-teams", api.WorkTeamViewSet, basename="work-team")
router.register("assistance/visits", api.VisitViewSet, basename="visit")
router.register("assistance/actions", api.ActionViewSet, basename="assistance-action")
urlpatterns = [path("assistance/figures/", api.FiguresView.as_view(), name="assistance-figures"), *router.urls]
