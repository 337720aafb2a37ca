"""Client addresses, and the administration interface open only from the administration networks.

等保 8.1.5: the three administrators (三员) work through a separate interface, reachable only from
designated networks, and every action there is audited. In tuopin that interface is the Django admin
(``/admin/``), and a 三员 account has nothing to do anywhere else. :class:`AdminNetworkMiddleware`
therefore refuses, server-side and before any view runs,

* every request to ``/admin/`` from outside ``settings.ADMIN_NETWORKS``, whoever sends it, and
* every request by a signed-in 三员 account from outside those networks (except logging out),

with 403 and a ``security.admin_network_refused`` audit row. ``ADMIN_NETWORKS`` is a CIDR list
(``TUOPIN_ADMIN_NETWORKS``): loopback only by default, every address in the demo.

The client address is ``REMOTE_ADDR`` unless a proxy header is configured
(``TUOPIN_TRUSTED_PROXY_HEADER``, e.g. ``X-Forwarded-For``) *and* the request comes from one of
``TUOPIN_TRUSTED_PROXIES``; then it is the right-most address in the header that is not itself a
trusted proxy. A header sent straight to the application, or by an untrusted host, is ignored — it is
whatever the client wanted to write. The same address goes into the audit trail and the lockout
counter (django-axes), so all three agree on who asked.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

__all__ = ["client_address", "in_networks", "parse_networks", "AdminNetworkMiddleware"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def parse_networks(spec: str) -> tuple[Network, ...]:
    """``"10.0.0.0/8, ::1"`` → networks; raises ValueError on a malformed entry (fail at start-up)."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec.split(",") if item.strip())


def in_networks(address: str, spec: str) -> bool:
    """Whether ``address`` lies in one of the networks of ``spec`` (False for an unparsable address)."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:  # ::ffff:127.0.0.1 is 127.0.0.1
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in parse_networks(spec))


def client_address(request: Any) -> str:
    """The address of the client, believing a proxy header only from a configured trusted proxy.

    Returns "" when a trusted proxy sent no usable header: an unknown client is not the proxy itself,
    so it never inherits the proxy's (often loopback) address.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    header = settings.TRUSTED_PROXY_HEADER
    if not header or not in_networks(remote, settings.TRUSTED_PROXIES):
        return remote
    value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
    for hop in reversed([h.strip() for h in value.split(",") if h.strip()]):
        if not in_networks(hop, "0.0.0.0/0,::/0"):
            return ""  # garbage in the chain: do not guess past it
        if not in_networks(hop, settings.TRUSTED_PROXIES):
            return hop
    return ""


class AdminNetworkMiddleware:
    """Refuse the admin interface, and any 三员 request, from outside ``settings.ADMIN_NETWORKS``."""

    ALWAYS_OPEN = ("/accounts/logout/", "/static/", "/healthz")

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        from tuopin.accounts.roles import ADMIN_ROLES

        path = request.path_info
        user = getattr(request, "user", None)
        administrator = bool(user is not None and user.is_authenticated and user.role in ADMIN_ROLES)
        guarded = path.startswith("/admin/") or (administrator and not path.startswith(self.ALWAYS_OPEN))
        if guarded:
            address = client_address(request)
            if not in_networks(address, settings.ADMIN_NETWORKS):
                _refused(user if administrator or getattr(user, "is_authenticated", False) else None, address, path)
                raise PermissionDenied(_("管理功能只能从指定的管理网络访问。"))
        return self.get_response(request)


def _refused(user: Any, address: str, path: str) -> None:
    from . import audit

    with transaction.atomic():
        audit.record(
            user,
            "security.admin_network_refused",
            object_type="core.adminnetwork",
            summary=f"拒绝从管理网络以外访问管理功能：{path[:200]}（来源 {address or '未知'}）",
            changes={"path": path[:200], "address": address},
            result="refused",
        )
