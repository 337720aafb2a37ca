"""Root URL configuration: pages, the REST API with its OpenAPI schema, admin and login."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path


def healthz(request):
    """Liveness probe for the operator's monitoring (no data, no login)."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("tuopin.api_urls")),
    path("accounts/", include("tuopin.accounts.urls")),
    path("programmes/", include("tuopin.programmes.urls")),
    path("payments/", include("tuopin.payments.urls")),
    path("cases/", include("tuopin.cases.urls")),
    path("assistance/", include("tuopin.assistance.urls")),
    path("supervision/", include("tuopin.supervision.urls")),
    path("exchange/", include("tuopin.exchange.urls")),
    path("reports/", include("tuopin.reports.urls")),
    path("", include("tuopin.web.urls")),
]

handler400 = "tuopin.core.views.bad_request"
handler403 = "tuopin.core.views.permission_denied"
handler404 = "tuopin.core.views.page_not_found"
handler500 = "tuopin.core.views.server_error"
