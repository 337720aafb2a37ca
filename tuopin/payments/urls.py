"""Pages of the payments app (mounted at /payments/)."""

from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("new/", views.batch_create, name="batch_create"),
    path("<int:pk>/", views.batch_detail, name="batch_detail"),
]
