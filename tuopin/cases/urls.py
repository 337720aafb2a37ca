"""Pages of the cases app (mounted at /cases/)."""

from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.propose, name="propose"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/<slug:step>/", views.case_step, name="step"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/print/", views.notice_print, name="notice_print"),
    path("notices/<int:pk>/notice.docx", views.notice_download, name="notice_docx"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
