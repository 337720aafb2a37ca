"""Django admin, limited to reference data and run by role (三员分立), never by Django superuser flags.

- 系统管理员 (sysadmin): accounts and reference regions.
- 审计管理员 (auditadmin): the audit trail, read-only.
- 安全管理员 (secadmin): nothing here yet (policies come with the security work).
Every change made in the admin writes its audit row in the admin's own transaction.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy

from tuopin.accounts.roles import Role

from . import audit
from .models import AuditEvent


def _role(request) -> str:
    user = request.user
    return user.role if user.is_active and user.is_authenticated else ""


def _has_admin_permission(request) -> bool:
    return _role(request) in {Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN}


admin.site.has_permission = _has_admin_permission
admin.site.site_header = gettext_lazy("tuopin 系统管理")
admin.site.site_title = gettext_lazy("tuopin 系统管理")


class RoleAdmin(admin.ModelAdmin):
    """A ModelAdmin whose permissions come from the user's role, with every change audited."""

    roles: frozenset[str] = frozenset({Role.SYSADMIN})
    read_only = False

    def has_module_permission(self, request):
        return _role(request) in self.roles

    def has_view_permission(self, request, obj=None):
        return _role(request) in self.roles

    def has_add_permission(self, request):
        return not self.read_only and _role(request) in self.roles

    def has_change_permission(self, request, obj=None):
        return not self.read_only and _role(request) in self.roles

    def has_delete_permission(self, request, obj=None):
        return False  # reference data is retired, not deleted: registry rows point at it

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The values (never a password) go into the audit row that log_addition/log_change write next.
        obj._audit_fields = {n: str(form.cleaned_data.get(n)) for n in form.changed_data if "password" not in n}

    # Django's admin calls these after every add, change (a password change included) and deletion, inside
    # the view's transaction: the one place that sees every admin action, so each becomes an audit row.
    def log_addition(self, request, obj, message):
        self._audit(request, obj, "add", message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "change", message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "delete", "")

    def _audit(self, request, obj, verb: str, message) -> None:
        # ``message`` is Django's change message: a list of {"changed": {"fields": [...]}} or, for a password
        # change, a sentence ("密码已修改。"); field names only, never values.
        if isinstance(message, str):
            changed = [message] if message else []
        else:
            changed = [name for part in message or [] if isinstance(part, dict) for name in _changed_names(part)]
        fields = getattr(obj, "_audit_fields", None)
        label = {"add": "新增", "change": "修改", "delete": "删除"}[verb]
        audit.record(
            request.user,
            f"admin.{verb}",
            obj=obj,
            summary=f"系统管理：{label} {obj}" + (f"（{'、'.join(map(str, changed))}）" if changed else ""),
            changes=fields if fields is not None else {"fields": [str(n) for n in changed]},
        )


def _changed_names(part: dict) -> list:
    return [name for entry in part.values() if isinstance(entry, dict) for name in entry.get("fields", [])]


@admin.register(AuditEvent)
class AuditEventAdmin(RoleAdmin):
    """Read-only view of the audit trail for the audit administrator."""

    roles = frozenset({Role.AUDITADMIN})
    read_only = True
    list_display = ("seq", "at", "actor_name", "actor_role", "action", "object_type", "object_id", "region_code")
    list_filter = ("action", "actor_role")
    search_fields = ("actor_name", "object_id", "summary")
    ordering = ("-seq",)
