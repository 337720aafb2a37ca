"""Django admin, limited to reference data and run by role (三员分立), never by Django superuser flags.

- 系统管理员 (sysadmin): accounts and reference regions.
- 审计管理员 (auditadmin): the audit trail, read-only.
- 安全管理员 (secadmin): nothing here yet (policies come with the security work).
Every change made in the admin writes its audit row in the admin's own transaction.
"""

from __future__ import annotations

from django.contrib import admin

from tuopin.accounts.roles import Role

from . import audit
from .models import AuditEvent


def _role(request) -> str:
    user = request.user
    return user.role if user.is_active and user.is_authenticated else ""


def _has_admin_permission(request) -> bool:
    return _role(request) in {Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN}


admin.site.has_permission = _has_admin_permission
admin.site.site_header = "tuopin 系统管理"
admin.site.site_title = "tuopin 系统管理"


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
        fields = {name: str(form.cleaned_data.get(name)) for name in form.changed_data if "password" not in name}
        audit.record(
            request.user,
            f"admin.{'change' if change else 'add'}",
            obj=obj,
            summary=f"系统管理：{'修改' if change else '新增'} {obj}",
            changes=fields,
        )


@admin.register(AuditEvent)
class AuditEventAdmin(RoleAdmin):
    """Read-only view of the audit trail for the audit administrator."""

    roles = frozenset({Role.AUDITADMIN})
    read_only = True
    list_display = ("seq", "at", "actor_name", "actor_role", "action", "object_type", "object_id", "region_code")
    list_filter = ("action", "actor_role")
    search_fields = ("actor_name", "object_id", "summary")
    ordering = ("-seq",)
