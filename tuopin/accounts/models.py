"""Users: an official with one role and one jurisdiction region."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from tuopin.geo.choices import PREFIX_LENGTH, Level

from .roles import ADMIN_ROLES, ROLE_CAPABILITIES, Capability, Role, withheld_fields


class User(AbstractUser):
    """An official. ``jurisdiction`` bounds every read and write of business data; ``role`` the kind."""

    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.CLERK)
    jurisdiction = models.ForeignKey(
        "geo.Region", verbose_name=_("管辖地区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.CharField(_("单位"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def region_prefix(self) -> str | None:
        """Significant digits of the jurisdiction code, or None when the user has none."""
        if self.jurisdiction_id is None:
            return None
        level = self.jurisdiction.level if self.jurisdiction else None
        return self.jurisdiction_id[: PREFIX_LENGTH[Level(level)]] if level else None

    @property
    def capabilities(self) -> frozenset[str]:
        return ROLE_CAPABILITIES.get(self.role, frozenset()) if self.is_active else frozenset()

    @property
    def withheld_fields(self) -> frozenset[str]:
        """Labelled fields (``roles.FIELD_CAPABILITIES``) this user's role may not receive."""
        return withheld_fields(self.capabilities)

    def can(self, capability: Capability | str) -> bool:
        """Whether the user's role grants ``capability``."""
        return str(capability) in self.capabilities

    @property
    def sees_business_data(self) -> bool:
        """The 三员 administer the system and see no households (三员分立)."""
        return self.role not in ADMIN_ROLES and self.can(Capability.VIEW_REGISTRY)
