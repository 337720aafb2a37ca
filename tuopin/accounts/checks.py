"""System checks: no demo accounts outside demo mode (等保 访问控制 a–c: no default accounts)."""

from django.conf import settings
from django.core.checks import Warning, register


@register("security", deploy=True)
def no_demo_accounts(app_configs, **kwargs):
    """Warn when an account still has the demo password (the demo prints it to everyone)."""
    from django.db import DatabaseError

    from tuopin.core.management.commands.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    from .models import User

    if settings.DEMO_MODE:
        return []
    try:
        users = list(User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS], is_active=True))
    except DatabaseError:  # no tables yet (before migrate)
        return []
    found = [u.username for u in users if u.check_password(DEMO_PASSWORD)]
    if not found:
        return []
    return [Warning(f"演示账户仍可用演示密码登录：{', '.join(found)}。生产环境请停用或改密。", id="tuopin.W001")]


@register("security", deploy=True)
def admin_networks_restricted(app_configs, **kwargs):
    """Warn when the admin interface is open to every address outside demo mode (等保 8.1.5)."""
    from tuopin.core.network import parse_networks

    if settings.DEMO_MODE:
        return []
    try:
        networks = parse_networks(settings.ADMIN_NETWORKS)
    except ValueError as exc:
        return [Warning(f"TUOPIN_ADMIN_NETWORKS 无法解析：{exc}", id="tuopin.W003")]
    if any(net.prefixlen == 0 for net in networks):
        return [Warning("管理界面对所有地址开放：请用 TUOPIN_ADMIN_NETWORKS 指定管理网络。", id="tuopin.W002")]
    return []
