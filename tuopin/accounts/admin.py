"""Account administration — system administrator only (三员分立), audited."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tuopin.core.admin import RoleAdmin

from .models import User


@admin.register(User)
class UserAdmin(RoleAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "role", "jurisdiction", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name")
    raw_id_fields = ("jurisdiction",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("身份"), {"fields": ("full_name", "unit", "role", "jurisdiction", "is_active")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "password1", "password2", "full_name", "role", "jurisdiction")}),)
    readonly_fields = ("last_login", "date_joined")

    def user_change_password(self, request, id, form_url=""):
        # Django runs this view outside a transaction; the password and its audit row commit together.
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)
