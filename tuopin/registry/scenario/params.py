"""Parameters of the Liaoyuan 2019 demo scenario: word lists and the shape of the synthetic city.

Everything here is a *generator parameter*: the poverty lines below decide which side of the
line a synthetic household's income falls on. They are not the system's standards (those live
in the policy tables) and nothing outside this package may read them.
"""

from __future__ import annotations

YEARS = (2014, 2015, 2016, 2017, 2018, 2019)
FIRST_YEAR, LAST_YEAR = YEARS[0], YEARS[-1]

# National line by year (domain.md §5.1), used only to place synthetic incomes around it.
POVERTY_LINE = {2014: 2800, 2015: 2855, 2016: 2952, 2017: 2952, 2018: 2995, 2019: 3218}

CITY_CODE = "220400000000"
SCENARIO = "liaoyuan-2019"

# Registered households per scale unit and villages per rural town (8–14, drawn once per seed).
HOUSEHOLDS_PER_BLOCK = 6000
MIN_VILLAGES, MAX_VILLAGES = 8, 14
# Replicas of the city that fit into the real towns' 村委会 code range 200–399 before the
# scenario adds synthetic towns (codes 400–999 of the county) to hold further villages.
BLOCKS_IN_REAL_TOWNS = 200 // MAX_VILLAGES
BLOCKS_PER_SYNTHETIC_TOWN = BLOCKS_IN_REAL_TOWNS
MAX_SCALE = BLOCKS_IN_REAL_TOWNS + BLOCKS_PER_SYNTHETIC_TOWN * 30

# How likely a village's rural population is registered poor, by county (urban districts are lower).
COUNTY_WEIGHT = {"220402": 0.45, "220403": 0.4, "220421": 1.15, "220422": 1.1}

# Named villages that tests and the newspaper report refer to (town code → {suffix: name}).
FIXED_VILLAGES = {
    "220422101": {"201": "大榆村", "202": "小榆村"},
    "220421102": {"201": "横道河村"},
}

# Ethnic mix: (Han, Manchu, Korean, Hui, Mongol). 三合满族朝鲜族乡 has its own.
ETHNICITY_CODES = ("01", "11", "10", "03", "02")
ETHNICITY_DEFAULT = (0.925, 0.055, 0.012, 0.005, 0.003)
ETHNICITY_SANHE = (0.52, 0.31, 0.16, 0.005, 0.005)
SANHE_TOWN = "220421200"

# Surnames weighted roughly as in Northeast China (Han and Manchu households).
SURNAMES = (
    ("王", 78),
    ("李", 72),
    ("张", 70),
    ("刘", 62),
    ("赵", 34),
    ("孙", 32),
    ("杨", 30),
    ("于", 26),
    ("陈", 24),
    ("高", 22),
    ("马", 20),
    ("徐", 18),
    ("郭", 17),
    ("周", 16),
    ("朱", 15),
    ("吴", 14),
    ("宋", 14),
    ("董", 13),
    ("曲", 11),
    ("姜", 12),
    ("韩", 12),
    ("胡", 11),
    ("何", 8),
    ("付", 10),
    ("林", 9),
    ("石", 9),
    ("崔", 9),
    ("郑", 8),
    ("梁", 8),
    ("孟", 8),
    ("贾", 7),
    ("丁", 7),
    ("白", 7),
    ("田", 7),
    ("邢", 6),
    ("秦", 5),
    ("吕", 6),
    ("谷", 5),
    ("蒋", 5),
    ("邵", 5),
    ("魏", 6),
    ("曹", 6),
    ("关", 8),
    ("佟", 5),
    ("那", 3),
    ("隋", 4),
    ("鲁", 4),
    ("尹", 4),
    ("常", 5),
    ("万", 4),
    ("范", 5),
)
# Surnames of 朝鲜族 households.
KOREAN_SURNAMES = (("金", 30), ("李", 20), ("朴", 18), ("崔", 10), ("郑", 7), ("姜", 5), ("韩", 4), ("申", 3))

# Given-name characters by generation and sex; names are one or two of them.
GIVEN_MALE_OLD = "国振德福广玉文建永志殿忠春学长庆成贵金山海宝明树连凤有义军发"
GIVEN_FEMALE_OLD = "桂淑秀玉凤兰芝珍英春素翠香荣彩霞云艳丽华洁亚敏凤琴"
GIVEN_MALE_YOUNG = "浩宇子轩博文俊杰家乐鑫磊鹏涛强伟东明晨阳天佳泽睿铭一航"
GIVEN_FEMALE_YOUNG = "欣怡雨萱梓涵思琪佳悦诗婷雪静晓月美慧可馨子瑶若彤丹妍"

# Syllables of village names (X + Y + 村) and of synthetic town names.
VILLAGE_FIRST = "大小新永长太兴东西南北上下双三五福安平和宝金太德丰富胜立红青河山"
VILLAGE_SECOND = "榆兴立安丰和平胜利发家屯岭沟河泉山林台堡合成顺发岗庄旺源川阳"
TOWN_FIRST = "永兴东安福太长宝庆德新富双平"
TOWN_SECOND = "丰和兴安源盛泰宁乐顺平隆康"

BANKS = (("中国农业银行", "622848", 0.45), ("吉林省农村信用社", "622302", 0.35), ("中国邮政储蓄银行", "621799", 0.2))

# Household size 1–6: many one- and two-person elderly households (mean ≈ 2.2).
SIZE_P = (0.32, 0.38, 0.14, 0.10, 0.05, 0.01)

# Identification year, exit year and the rarer paths (shares of all households).
IDENT_YEAR_P = {2014: 0.80, 2015: 0.08, 2016: 0.05, 2017: 0.04, 2018: 0.02, 2019: 0.01}
EXIT_YEAR_P = {2016: 0.22, 2017: 0.30, 2018: 0.28, 2019: 0.17, 0: 0.03}  # 0 = still poor at end of 2019
RELAPSE_P = 0.015
MONITOR_P = 0.035

# 贫困户属性: 一般贫困户, 低保贫困户, 特困供养 (mostly single elderly).
CATEGORY_GENERAL, CATEGORY_DIBAO, CATEGORY_TEKUN = "1", "4", "3"

# Main cause (因病 the most common, as in the Liaoyuan registry) and weights of other causes.
MAIN_CAUSE_P = {
    "1": 0.44,
    "2": 0.15,
    "8": 0.12,
    "7": 0.08,
    "9": 0.07,
    "3": 0.04,
    "11": 0.03,
    "4": 0.02,
    "5": 0.02,
    "6": 0.005,
    "10": 0.005,
    "12": 0.005,
    "99": 0.015,
}
OTHER_CAUSE_W = {
    "1": 6,
    "2": 3,
    "3": 1,
    "4": 1,
    "5": 2,
    "6": 0.3,
    "7": 6,
    "8": 6,
    "9": 7,
    "10": 0.5,
    "11": 1.5,
    "12": 0.2,
    "99": 0.5,
}
