"""API routes of the payments app (mounted under /api/)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .api import BatchViewSet, PaymentViewSet

router = SimpleRouter()
router.register("payments/batches", BatchViewSet, basename="payment-batch")
router.register("payments/payments", PaymentViewSet, basename="payment")

urlpatterns = [path("", include(router.urls))]
