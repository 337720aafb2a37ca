"""Region levels and the code length that identifies each."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """Administrative level; the value orders levels from the top."""

    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县（区）")
    TOWNSHIP = 4, _("乡（镇、街道）")
    VILLAGE = 5, _("村（社区）")


# Significant digits of a 12-digit 统计用区划代码 at each level.
PREFIX_LENGTH = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}
