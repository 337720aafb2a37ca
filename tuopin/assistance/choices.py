"""Code lists of the responsibility chain, pairing and visits."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SecretaryLevel(models.IntegerChoices):
    """五级书记: the level of the region a secretary answers for (same numbers as geo levels)."""

    PROVINCE = 1, _("省级")
    CITY = 2, _("市级")
    COUNTY = 3, _("县级")
    TOWNSHIP = 4, _("乡级")
    VILLAGE = 5, _("村级")


class LeaderLevel(models.IntegerChoices):
    """The level of a leader visiting a village."""

    PROVINCE = 1, _("省级领导")
    CITY = 2, _("市级领导")
    COUNTY = 3, _("县级领导")
    TOWNSHIP = 4, _("乡级领导")


class VisitKind(models.TextChoices):
    """A leader's visit: 遍访 of a poor village, or 调研 (research)."""

    VISIT = "visit", _("遍访")
    RESEARCH = "research", _("调研")


class UnitLevel(models.TextChoices):
    """The level of a cadre's unit."""

    PROVINCE = "province", _("省直")
    CITY = "city", _("市直")
    COUNTY = "county", _("县直")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村级")


class ActionKind(models.TextChoices):
    """帮扶行动 by a paired unit or cadre."""

    CONDOLENCE = "condolence", _("走访慰问")
    FUNDS = "funds", _("资金帮扶")
    GOODS = "goods", _("物资帮扶")
    INDUSTRY = "industry", _("产业帮扶")
    EMPLOYMENT = "employment", _("就业帮扶")
    CONSUMPTION = "consumption", _("消费帮扶")
    OTHER = "other", _("其他")


class PairingKind(models.TextChoices):
    """A cadre is paired with a household (结对帮扶) or a village (包村)."""

    HOUSEHOLD = "household", _("包户")
    VILLAGE = "village", _("包村")
