"""Request context (request id, client address) for the audit trail, and login-required-everywhere."""

from __future__ import annotations

import contextvars
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils.translation import gettext as _

from .network import client_address

__all__ = ["RequestContextMiddleware", "LoginRequiredMiddleware", "current_request_context"]

_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("tuopin_request", default={})  # noqa: B039


def current_request_context() -> dict[str, str]:
    """The request id and client address of the request being served (empty in jobs and the CLI)."""
    return _context.get()


class RequestContextMiddleware:
    """Give every request an id (echoed as X-Request-ID) and remember the client address."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request_id = uuid.uuid4().hex
        token = _context.set({"request_id": request_id, "ip": client_address(request)})
        try:
            response = self.get_response(request)
        finally:
            _context.reset(token)
        response["X-Request-ID"] = request_id
        return response


PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/i18n/", "/healthz")


class LoginRequiredMiddleware:
    """Every URL needs a logged-in user except the login page, static files and the health check.

    Deny by default: a page added tomorrow is protected without anyone remembering to decorate it.
    The API answers 401/403 JSON through DRF's own authentication instead of a redirect.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        path = request.path_info
        if request.user.is_authenticated or path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        if path.startswith("/api/"):
            if request.META.get("HTTP_AUTHORIZATION"):
                return self.get_response(request)  # DRF authenticates basic auth itself
            return JsonResponse({"detail": _("需要登录。")}, status=401)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
