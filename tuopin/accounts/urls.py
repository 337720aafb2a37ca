"""Account pages beyond login/logout (those are in tuopin.web.urls)."""

from django.urls import path

from . import views

urlpatterns = [path("otp/", views.otp, name="otp")]
