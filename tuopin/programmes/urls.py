"""Pages of the programmes app (mounted at /programmes/)."""

from django.urls import path

from . import views

app_name = "programmes"
urlpatterns = [
    path("", views.index, name="index"),
    path("support/<int:household_id>/<int:year>/", views.support, name="support"),
    path("<slug:slug>/", views.kind_list, name="list"),
    path("<slug:slug>/new/", views.kind_create, name="create"),
    path("<slug:slug>/<int:pk>/", views.kind_detail, name="detail"),
]
