"""National code lists of the 贫困户登记表 (domain.md §3.3, §6): each choice carries the code the
national system used and its Chinese label. Mappings to GB codes sit beside the system lists."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentificationStandard(models.TextChoices):
    """A1 识别标准."""

    NATIONAL = "1", _("国家标准")
    PROVINCIAL = "2", _("省定标准")
    MUNICIPAL = "3", _("市定标准")


class HouseholdCategory(models.TextChoices):
    """A2/A3 贫困户属性."""

    GENERAL = "1", _("一般贫困户")
    DIBAO = "2", _("低保户")
    WUBAO = "3", _("特困供养户（五保户）")
    DIBAO_POOR = "4", _("低保贫困户")


class PovertyCause(models.TextChoices):
    """A3 致贫原因 (main: one required; other: up to two)."""

    ILLNESS = "1", _("因病")
    DISABILITY = "2", _("因残")
    SCHOOLING = "3", _("因学")
    DISASTER = "4", _("因灾")
    LACK_LAND = "5", _("缺土地")
    LACK_WATER = "6", _("缺水")
    LACK_SKILLS = "7", _("缺技术")
    LACK_LABOUR = "8", _("缺劳力")
    LACK_FUNDS = "9", _("缺资金")
    TRANSPORT = "10", _("交通条件落后")
    MOTIVATION = "11", _("自身发展动力不足")
    MARRIAGE = "12", _("因婚")
    OTHER = "99", _("其他")


class HouseholdStatus(models.TextChoices):
    """Where a household stands (脱贫标志 AAR010 extended with monitoring, design.md §5)."""

    POOR = "poor", _("未脱贫")
    EXITED = "exited", _("已脱贫")
    RELAPSED = "relapsed", _("返贫")
    MONITORED = "monitored", _("监测对象")
    RISK_CLEARED = "risk_cleared", _("风险已消除")
    CANCELLED = "cancelled", _("已销户")


# Statuses whose members count as 贫困人口 (the numerator of 贫困发生率).
POOR_STATUSES = (HouseholdStatus.POOR, HouseholdStatus.RELAPSED)

# Allowed status transitions; anything else is refused by the action.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    HouseholdStatus.POOR: frozenset({HouseholdStatus.EXITED, HouseholdStatus.CANCELLED}),
    HouseholdStatus.EXITED: frozenset({HouseholdStatus.RELAPSED, HouseholdStatus.MONITORED, HouseholdStatus.CANCELLED}),
    HouseholdStatus.RELAPSED: frozenset({HouseholdStatus.EXITED, HouseholdStatus.CANCELLED}),
    HouseholdStatus.MONITORED: frozenset(
        {HouseholdStatus.RISK_CLEARED, HouseholdStatus.RELAPSED, HouseholdStatus.CANCELLED}
    ),
    HouseholdStatus.RISK_CLEARED: frozenset({HouseholdStatus.MONITORED, HouseholdStatus.CANCELLED}),
    HouseholdStatus.CANCELLED: frozenset(),
}


class Gender(models.TextChoices):
    """GB/T 2261.1 性别."""

    UNKNOWN = "0", _("未知的性别")
    MALE = "1", _("男")
    FEMALE = "2", _("女")
    UNSTATED = "9", _("未说明的性别")


class Relation(models.TextChoices):
    """A7 与户主关系, the 建档立卡 system list (not GB/T 4761; see ``RELATION_GB4761``)."""

    HEAD = "01", _("户主")
    SPOUSE = "02", _("配偶")
    SON = "03", _("之子")
    DAUGHTER = "04", _("之女")
    DAUGHTER_IN_LAW = "05", _("之儿媳")
    SON_IN_LAW = "06", _("之女婿")
    GRANDSON = "07", _("之孙子")
    GRANDDAUGHTER = "08", _("之孙女")
    DAUGHTERS_SON = "09", _("之外孙子")
    DAUGHTERS_DAUGHTER = "10", _("之外孙女")
    FATHER = "11", _("之父")
    MOTHER = "12", _("之母")
    WIFES_FATHER = "13", _("之岳父")
    WIFES_MOTHER = "14", _("之岳母")
    HUSBANDS_FATHER = "15", _("之公公")
    HUSBANDS_MOTHER = "16", _("之婆婆")
    GRANDFATHER = "17", _("之祖父")
    GRANDMOTHER = "18", _("之祖母")
    MATERNAL_GRANDFATHER = "19", _("之外祖父")
    MATERNAL_GRANDMOTHER = "20", _("之外祖母")
    OTHER = "99", _("其他")


# System relation → GB/T 4761-2008 家庭关系代码 (group codes where the system list is coarser).
RELATION_GB4761 = {
    "01": "02",
    "02": "10",
    "03": "20",
    "04": "30",
    "05": "38",
    "06": "28",
    "07": "41",
    "08": "43",
    "09": "45",
    "10": "47",
    "11": "51",
    "12": "52",
    "13": "55",
    "14": "56",
    "15": "53",
    "16": "54",
    "17": "61",
    "18": "62",
    "19": "63",
    "20": "64",
    "99": "97",
}


class Ethnicity(models.TextChoices):
    """A8 民族, GB 3304-1991 codes."""

    HAN = "01", _("汉族")
    MONGOL = "02", _("蒙古族")
    HUI = "03", _("回族")
    TIBETAN = "04", _("藏族")
    UYGHUR = "05", _("维吾尔族")
    MIAO = "06", _("苗族")
    YI = "07", _("彝族")
    ZHUANG = "08", _("壮族")
    BUYEI = "09", _("布依族")
    KOREAN = "10", _("朝鲜族")
    MANCHU = "11", _("满族")
    DONG = "12", _("侗族")
    YAO = "13", _("瑶族")
    BAI = "14", _("白族")
    TUJIA = "15", _("土家族")
    XIBE = "38", _("锡伯族")
    DAUR = "31", _("达斡尔族")
    EWENKI = "45", _("鄂温克族")
    OROQEN = "52", _("鄂伦春族")
    HEZHEN = "53", _("赫哲族")
    RUSSIAN = "44", _("俄罗斯族")
    OTHER = "97", _("其他")
    FOREIGN_ORIGIN = "98", _("外国血统中国籍人士")


class Education(models.TextChoices):
    """A9 文化程度 (system list; GB/T 4658 mapping kept at the edges)."""

    ILLITERATE = "1", _("文盲或半文盲")
    PRIMARY = "2", _("小学")
    JUNIOR = "3", _("初中")
    SENIOR = "4", _("高中")
    COLLEGE = "5", _("大专及以上")
    PRESCHOOL = "6", _("学龄前儿童")


class SchoolStatus(models.TextChoices):
    """A10 在校生状况."""

    NOT_IN_SCHOOL = "1", _("非在校生")
    PRESCHOOL = "2", _("学前教育")
    PRIMARY = "3", _("小学")
    GRADE7 = "4", _("七年级")
    GRADE8 = "5", _("八年级")
    GRADE9 = "6", _("九年级")
    SENIOR1 = "7", _("高中一年级")
    SENIOR2 = "8", _("高中二年级")
    SENIOR3 = "9", _("高中三年级")
    VOCATIONAL1 = "10", _("中职一年级")
    VOCATIONAL2 = "11", _("中职二年级")
    VOCATIONAL3 = "12", _("中职三年级")
    HIGHER_VOC1 = "13", _("高职一年级")
    HIGHER_VOC2 = "14", _("高职二年级")
    HIGHER_VOC3 = "15", _("高职三年级")
    COLLEGE = "16", _("大专及以上")
    EXEMPTED = "90", _("因病残免入学（送教上门等）")


class Health(models.TextChoices):
    """A11 健康状况."""

    HEALTHY = "1", _("健康")
    CHRONIC = "2", _("长期慢性病")
    SERIOUS = "3", _("患有大病")
    DISABLED = "4", _("残疾")


class DisabilityCategory(models.TextChoices):
    """残疾类别 (残疾人证, GB/T 26341-2010)."""

    NONE = "", _("无")
    VISUAL = "1", _("视力残疾")
    HEARING = "2", _("听力残疾")
    SPEECH = "3", _("言语残疾")
    PHYSICAL = "4", _("肢体残疾")
    INTELLECTUAL = "5", _("智力残疾")
    MENTAL = "6", _("精神残疾")
    MULTIPLE = "7", _("多重残疾")


class DisabilityGrade(models.TextChoices):
    """残疾等级 一–四级."""

    NONE = "", _("无")
    GRADE1 = "1", _("一级")
    GRADE2 = "2", _("二级")
    GRADE3 = "3", _("三级")
    GRADE4 = "4", _("四级")


class LabourSkill(models.TextChoices):
    """A12 劳动技能 / 劳动能力."""

    ORDINARY = "1", _("普通劳动力")
    SKILLED = "2", _("技能劳动力")
    LOST = "3", _("丧失劳动力")
    NONE = "4", _("无劳动力")


class MigrantWork(models.TextChoices):
    """A13 务工状况."""

    NONE = "0", _("未务工")
    IN_TOWNSHIP = "1", _("乡（镇）内务工")
    IN_COUNTY = "2", _("乡（镇）外县内务工")
    IN_PROVINCE = "3", _("县外省内务工")
    OUT_OF_PROVINCE = "4", _("省外务工")
    OTHER = "99", _("其他")


class HousingStructure(models.TextChoices):
    """A22 住房主要结构."""

    CONCRETE = "1", _("钢筋混凝土")
    BRICK_CONCRETE = "2", _("砖混")
    BRICK_WOOD = "3", _("砖瓦砖木")
    EARTH_GRASS = "4", _("竹草土坯")
    STEEL = "5", _("彩钢")
    OTHER = "99", _("其他")


class HousingSafety(models.TextChoices):
    """农村危房鉴定 A–D; NONE marks a 无房户 (domain.md §5.4)."""

    A = "A", _("A级（安全）")
    B = "B", _("B级（基本安全）")
    C = "C", _("C级（局部危房）")
    D = "D", _("D级（整幢危房）")
    NONE = "N", _("无房")


class WaterSource(models.TextChoices):
    """A37 饮水情况."""

    TAP = "1", _("净化自来水")
    PROTECTED_WELL = "2", _("受保护的井水和泉水")
    UNPROTECTED_WELL = "3", _("不受保护的井水和泉水")
    SURFACE = "4", _("江河湖泊水")
    RAIN = "5", _("收集雨水")
    BOTTLED = "6", _("桶装水")
    OTHER = "99", _("其他")


class Fuel(models.TextChoices):
    """A36 主要燃料类型."""

    FIREWOOD = "1", _("柴草")
    DUNG = "2", _("干畜粪")
    COAL = "3", _("煤炭")
    CLEAN = "4", _("清洁能源")
    OTHER = "99", _("其他")


class RoadType(models.TextChoices):
    """入户路类型."""

    DIRT = "0", _("泥土路")
    GRAVEL = "1", _("砂石路")
    CEMENT = "2", _("水泥路")
    ASPHALT = "3", _("沥青路")
