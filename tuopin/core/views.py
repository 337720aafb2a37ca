"""Error handlers: JSON for the API, the Chinese pages for everything else — never a stack trace."""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _api(request) -> bool:
    return request.path_info.startswith("/api/")


def page_not_found(request, exception):
    """404: ``{"detail": …}`` under /api/ (a path the router does not match), the 404 page elsewhere."""
    if _api(request):
        return JsonResponse({"detail": _("未找到。")}, status=404)
    return defaults.page_not_found(request, exception)


def permission_denied(request, exception):
    if _api(request):
        return JsonResponse({"detail": _("您没有执行该操作的权限。")}, status=403)
    return defaults.permission_denied(request, exception)


def bad_request(request, exception):
    if _api(request):
        return JsonResponse({"detail": _("请求无效。")}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    if _api(request):
        return JsonResponse({"detail": _("服务器内部错误，已记录。")}, status=500)
    return defaults.server_error(request)
