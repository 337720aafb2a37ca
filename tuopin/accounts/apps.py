from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AccountsConfig(AppConfig):
    name = "tuopin.accounts"
    label = "accounts"
    verbose_name = gettext_lazy("账户")

    def ready(self):
        from axes.signals import user_locked_out

        from . import checks, schema, security  # noqa: F401 - system checks; OpenAPI extension; auth receivers

        user_locked_out.connect(security._on_lockout, dispatch_uid="tuopin_lockout_audit")
