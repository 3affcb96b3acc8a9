"""Reference lists the generator draws from.

Canonical values mirror the dbt seeds (`dbt_project/seeds/*.csv`); they are embedded so the
installed package never reads the repository at runtime. `tests/test_generator.py` checks
that every value here still matches the seeds (canonical names, and every messy variant
normalises to an alias of the right code), so the two cannot drift apart silently.
"""

from __future__ import annotations

from datetime import date

# --------------------------------------------------------------------------------------
# Industries: (code, canonical Chinese name = seed industry_name_zh, English name, share,
# words used in company names, messy spellings = aliases in industry_aliases.csv).
# --------------------------------------------------------------------------------------
INDUSTRIES: tuple[tuple[str, str, str, float, tuple[str, ...], tuple[str, ...]], ...] = (
    ("manufacturing", "制造业", "Manufacturing", 0.30,
     ("精密机械", "机械制造", "电子", "汽车零部件", "新材料", "装备制造", "化工", "五金制品"),
     ("制造", "Manufacture", "MFG", "manufacturing")),
    ("services", "服务业", "Services", 0.09,
     ("企业管理咨询", "商务服务", "人力资源服务", "会展服务"),
     ("服务", "服务行业", "Service", "services")),
    ("retail", "零售业", "Retail", 0.08,
     ("商贸", "百货", "连锁超市", "电子商务"),
     ("零售", "零售行业", "RETAIL", "retail")),
    ("it_software", "信息技术", "IT & Software", 0.12,
     ("信息技术", "软件", "网络科技", "数据科技", "智能科技"),
     ("IT", "Software", "软件", "互联网", "信息技术业", "IT&Software")),
    ("finance", "金融业", "Finance", 0.06,
     ("融资租赁", "投资管理", "金融服务", "保险经纪"),
     ("金融", "金融服务", "Financial", "finance")),
    ("construction", "建筑业", "Construction", 0.08,
     ("建设工程", "建筑", "装饰工程", "路桥建设"),
     ("建筑", "建筑工程", "construction", "CONSTRUCTION")),
    ("energy", "能源", "Energy", 0.05,
     ("新能源", "能源", "电力", "光伏科技"),
     ("能源行业", "电力能源", "energy", "ENERGY")),
    ("healthcare", "医疗健康", "Healthcare", 0.08,
     ("医疗器械", "生物医药", "医药", "健康科技"),
     ("医疗", "医药", "Medical", "Health", "healthcare")),
    ("logistics", "物流运输", "Logistics", 0.07,
     ("物流", "供应链管理", "国际货运", "运输"),
     ("物流", "运输", "交通运输", "Transport", "logistics")),
    ("education", "教育", "Education", 0.04,
     ("教育科技", "教育咨询", "职业培训"),
     ("教育培训", "Education & Training", "education")),
    ("other", "其他", "Other", 0.03,
     ("实业", "发展", "控股"),
     ("其它", "Others", "other")),
)  # fmt: skip

# --------------------------------------------------------------------------------------
# Regions (seed regions.csv) and provinces (seed provinces.csv) with real cities, a weight
# for how many key accounts sit there, the province's full official name and its messy
# spellings (all present in province_aliases.csv after normalisation).
# --------------------------------------------------------------------------------------
REGIONS: tuple[tuple[str, str], ...] = (
    ("north", "华北"),
    ("northeast", "东北"),
    ("east", "华东"),
    ("central", "华中"),
    ("south", "华南"),
    ("southwest", "西南"),
    ("northwest", "西北"),
)

# code, canonical Chinese name, English name, region code, full name, weight, cities
PROVINCES: tuple[tuple[str, str, str, str, str, float, tuple[str, ...]], ...] = (
    ("beijing", "北京", "Beijing", "north", "北京市", 6.0, ("北京",)),
    ("tianjin", "天津", "Tianjin", "north", "天津市", 2.0, ("天津",)),
    ("hebei", "河北", "Hebei", "north", "河北省", 2.5, ("石家庄", "唐山", "保定", "廊坊")),
    ("shanxi", "山西", "Shanxi", "north", "山西省", 1.0, ("太原", "大同", "长治")),
    ("inner_mongolia", "内蒙古", "Inner Mongolia", "north", "内蒙古自治区", 0.8,
     ("呼和浩特", "包头", "鄂尔多斯")),
    ("liaoning", "辽宁", "Liaoning", "northeast", "辽宁省", 2.0, ("沈阳", "大连", "鞍山")),
    ("jilin", "吉林", "Jilin", "northeast", "吉林省", 0.9, ("长春", "吉林")),
    ("heilongjiang", "黑龙江", "Heilongjiang", "northeast", "黑龙江省", 0.9,
     ("哈尔滨", "大庆", "齐齐哈尔")),
    ("shanghai", "上海", "Shanghai", "east", "上海市", 7.0, ("上海",)),
    ("jiangsu", "江苏", "Jiangsu", "east", "江苏省", 9.0,
     ("南京", "苏州", "无锡", "常州", "南通")),
    ("zhejiang", "浙江", "Zhejiang", "east", "浙江省", 7.0,
     ("杭州", "宁波", "温州", "绍兴", "嘉兴")),
    ("anhui", "安徽", "Anhui", "east", "安徽省", 2.5, ("合肥", "芜湖", "马鞍山")),
    ("fujian", "福建", "Fujian", "east", "福建省", 3.5, ("福州", "厦门", "泉州")),
    ("jiangxi", "江西", "Jiangxi", "east", "江西省", 1.5, ("南昌", "赣州", "九江")),
    ("shandong", "山东", "Shandong", "east", "山东省", 6.0, ("济南", "青岛", "烟台", "潍坊")),
    ("henan", "河南", "Henan", "central", "河南省", 3.0, ("郑州", "洛阳", "新乡")),
    ("hubei", "湖北", "Hubei", "central", "湖北省", 3.5, ("武汉", "宜昌", "襄阳")),
    ("hunan", "湖南", "Hunan", "central", "湖南省", 2.5, ("长沙", "株洲", "岳阳")),
    ("guangdong", "广东", "Guangdong", "south", "广东省", 10.0,
     ("广州", "深圳", "东莞", "佛山", "珠海")),
    ("guangxi", "广西", "Guangxi", "south", "广西壮族自治区", 1.2, ("南宁", "柳州", "桂林")),
    ("hainan", "海南", "Hainan", "south", "海南省", 0.4, ("海口", "三亚")),
    ("chongqing", "重庆", "Chongqing", "southwest", "重庆市", 2.5, ("重庆",)),
    ("sichuan", "四川", "Sichuan", "southwest", "四川省", 3.5, ("成都", "绵阳", "德阳")),
    ("guizhou", "贵州", "Guizhou", "southwest", "贵州省", 1.0, ("贵阳", "遵义")),
    ("yunnan", "云南", "Yunnan", "southwest", "云南省", 1.0, ("昆明", "曲靖")),
    ("tibet", "西藏", "Tibet", "southwest", "西藏自治区", 0.1, ("拉萨",)),
    ("shaanxi", "陕西", "Shaanxi", "northwest", "陕西省", 2.0, ("西安", "宝鸡", "咸阳")),
    ("gansu", "甘肃", "Gansu", "northwest", "甘肃省", 0.5, ("兰州", "天水")),
    ("qinghai", "青海", "Qinghai", "northwest", "青海省", 0.2, ("西宁",)),
    ("ningxia", "宁夏", "Ningxia", "northwest", "宁夏回族自治区", 0.3, ("银川",)),
    ("xinjiang", "新疆", "Xinjiang", "northwest", "新疆维吾尔自治区", 0.6,
     ("乌鲁木齐", "克拉玛依")),
)  # fmt: skip


def province_variants(name_en: str, full_zh: str) -> tuple[str, ...]:
    """Messy spellings of a province that the alias seed maps back to its code."""
    return (full_zh, name_en, name_en.upper(), name_en.lower(), f"{name_en} Province")


# Canonical enum codes (enum_aliases.csv), and the Chinese aliases used as messy values.
ENUM_ALIASES_ZH: dict[str, dict[str, str]] = {
    "order_status": {"completed": "已完成", "cancelled": "已取消", "returned": "已退货"},
    "order_channel": {"direct": "直销", "distributor": "经销商", "online": "线上"},
    "opportunity_stage": {
        "lead": "线索",
        "needs_confirmed": "需求确认",
        "proposal": "方案提交",
        "negotiation": "商务谈判",
        "won": "合同签订",
        "lost": "丢单",
    },
}
ORDER_STATUSES = ("completed", "cancelled", "returned")
ORDER_STATUS_P = (0.92, 0.05, 0.03)
CHANNELS = ("direct", "distributor", "online")
STAGES = ("lead", "needs_confirmed", "proposal", "negotiation", "won", "lost")
ACTIVITY_TYPES = ("visit", "call", "email", "event")
CONTACT_ROLES = ("decision_maker", "influencer", "user")
COMPLAINT_CATEGORIES = ("quality", "delivery", "billing", "service")
SEVERITIES = ("low", "medium", "high")
TICKET_SEVERITIES = ("p1", "p2", "p3", "p4")
TICKET_CHANNELS = ("phone", "email", "portal")
UNKNOWN_ORDER_STATUS = "pending_review"
UNKNOWN_STAGE = "on_hold"

LOST_REASONS = ("价格过高", "选择竞品", "预算取消", "需求变更", "决策延期", "技术不满足")

COMPLAINT_TEXTS: dict[str, tuple[str, ...]] = {
    "quality": ("部分设备到货后无法正常启动", "产品批次质量不稳定", "返修率偏高，影响产线使用"),
    "delivery": ("交货期比合同约定晚了两周", "物流途中包装破损", "分批到货，缺少配件"),
    "billing": ("发票金额与合同不一致", "重复开票，需要冲红", "账期与约定不符"),
    "service": ("售后响应太慢", "工程师现场服务不专业", "问题反复出现未根本解决"),
}
SURVEY_COMMENTS: dict[int, tuple[str, ...]] = {
    1: ("非常不满意，考虑更换供应商", "问题长期得不到解决"),
    2: ("交付和服务都需要改进", "沟通不及时，体验较差"),
    3: ("整体一般，价格偏高", "产品可以，服务有待提升"),
    4: ("合作顺利，响应较快", "产品稳定，希望继续保持"),
    5: ("非常满意，会继续合作", "服务专业，推荐给同行"),
}

# --------------------------------------------------------------------------------------
# Names: company brand syllables and personal names, each with pinyin for e-mail addresses.
# --------------------------------------------------------------------------------------
BRAND_FIRST = (
    ("华", "hua"), ("鼎", "ding"), ("恒", "heng"), ("瑞", "rui"), ("金", "jin"),
    ("远", "yuan"), ("中", "zhong"), ("宏", "hong"), ("天", "tian"), ("永", "yong"),
    ("博", "bo"), ("盛", "sheng"), ("新", "xin"), ("海", "hai"), ("东", "dong"),
    ("凯", "kai"), ("联", "lian"), ("信", "xin"), ("安", "an"), ("银", "yin"),
    ("嘉", "jia"), ("德", "de"), ("泰", "tai"), ("丰", "feng"), ("润", "run"),
    ("晨", "chen"), ("星", "xing"), ("益", "yi"), ("卓", "zhuo"), ("汇", "hui"),
    ("创", "chuang"), ("荣", "rong"), ("兴", "xing"), ("通", "tong"), ("源", "yuan"),
    ("广", "guang"), ("长", "chang"), ("启", "qi"), ("明", "ming"), ("志", "zhi"),
)  # fmt: skip
BRAND_SECOND = (
    ("锐", "rui"), ("新", "xin"), ("通", "tong"), ("丰", "feng"), ("川", "chuan"),
    ("洋", "yang"), ("科", "ke"), ("达", "da"), ("成", "cheng"), ("昌", "chang"),
    ("雅", "ya"), ("宇", "yu"), ("纳", "na"), ("越", "yue"), ("创", "chuang"),
    ("泰", "tai"), ("诚", "cheng"), ("和", "he"), ("辉", "hui"), ("盛", "sheng"),
    ("远", "yuan"), ("康", "kang"), ("峰", "feng"), ("瑞", "rui"), ("鑫", "xin"),
    ("航", "hang"), ("润", "run"), ("拓", "tuo"), ("驰", "chi"), ("信", "xin"),
    ("邦", "bang"), ("晟", "sheng"), ("华", "hua"), ("益", "yi"), ("隆", "long"),
    ("弘", "hong"), ("源", "yuan"), ("智", "zhi"), ("蓝", "lan"), ("腾", "teng"),
)  # fmt: skip
COMPANY_SUFFIXES = ("有限公司", "股份有限公司", "集团有限公司")

SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
    ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"),
    ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
    ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
)  # fmt: skip
GIVEN_CHARS = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
    ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"), ("平", "ping"),
    ("刚", "gang"), ("桂", "gui"), ("英", "ying"), ("华", "hua"), ("建", "jian"),
    ("文", "wen"), ("玲", "ling"), ("斌", "bin"), ("宇", "yu"), ("浩", "hao"),
    ("凯", "kai"), ("鹏", "peng"), ("辉", "hui"), ("婷", "ting"), ("雪", "xue"),
    ("琳", "lin"), ("晨", "chen"), ("欣", "xin"), ("志", "zhi"), ("海", "hai"),
)  # fmt: skip
TEAM_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")

# --------------------------------------------------------------------------------------
# Product catalogue: category -> product lines -> products (name, list price CNY), with the
# unit-cost ratio range of the category. Fixed (independent of the seed).
# --------------------------------------------------------------------------------------
CATALOG: tuple[tuple[str, tuple[float, float], tuple[tuple[str, tuple], ...]], ...] = (
    ("工业自动化", (0.55, 0.72), (
        ("PLC控制器", (("紧凑型PLC控制器", 4800), ("模块化PLC控制器", 18600),
                      ("PLC扩展模块", 2350), ("安全PLC控制器", 36800))),
        ("伺服系统", (("伺服驱动器", 6200), ("伺服电机", 4300), ("运动控制卡", 9800))),
        ("工业传感器", (("光电传感器", 380), ("压力传感器", 1650), ("视觉检测相机", 22800))),
    )),
    ("工业软件", (0.15, 0.35), (
        ("MES系统", (("MES生产执行系统许可", 286000), ("质量追溯模块", 68000),
                    ("设备管理模块", 45000), ("排产优化模块", 98000))),
        ("ERP模块", (("财务模块许可", 56000), ("供应链模块许可", 88000),
                    ("人力资源模块许可", 42000))),
        ("数据平台", (("数据中台许可", 368000), ("BI分析平台许可", 75000),
                     ("工业物联网平台许可", 156000))),
    )),
    ("网络设备", (0.58, 0.75), (
        ("交换机", (("接入交换机", 2600), ("汇聚交换机", 12800), ("核心交换机", 68000),
                   ("工业以太网交换机", 5400))),
        ("路由与安全", (("企业路由器", 7600), ("下一代防火墙", 32000), ("VPN网关", 15800))),
        ("无线网络", (("无线AP", 1280), ("无线控制器", 18800), ("室外无线网桥", 3900))),
    )),
    ("办公设备", (0.62, 0.80), (
        ("打印设备", (("激光打印机", 2680), ("彩色复合机", 28600), ("标签打印机", 1580))),
        ("会议系统", (("视频会议终端", 16800), ("会议平板", 21500), ("全向麦克风", 2300))),
        ("商用终端", (("商用笔记本", 6900), ("商用台式机", 5200), ("显示器", 1480),
                     ("平板电脑", 3600))),
    )),
    ("技术服务", (0.40, 0.60), (
        ("实施服务", (("系统实施服务", 120000), ("数据迁移服务", 36000),
                     ("定制开发服务", 85000))),
        ("运维服务", (("年度运维服务", 48000), ("驻场运维服务", 96000), ("远程技术支持", 12000))),
        ("培训咨询", (("管理员培训", 8800), ("最终用户培训", 5600), ("认证考试服务", 3200),
                     ("咨询规划服务", 150000))),
    )),
    ("耗材配件", (0.60, 0.82), (
        ("线缆", (("超五类网线", 420), ("光纤跳线", 38), ("电源线缆", 65))),
        ("配件", (("光模块", 780), ("电源模块", 1350), ("导轨配件", 120), ("备用风扇", 260))),
        ("耗材", (("硒鼓", 560), ("墨盒", 210), ("打印纸", 180))),
    )),
)  # fmt: skip

# Chinese New Year (正月初一) per year; a year missing here falls back to 1 February.
CNY_DATES: dict[int, date] = {
    y: date.fromisoformat(d)
    for y, d in (
        (2010, "2010-02-14"), (2011, "2011-02-03"), (2012, "2012-01-23"),
        (2013, "2013-02-10"), (2014, "2014-01-31"), (2015, "2015-02-19"),
        (2016, "2016-02-08"), (2017, "2017-01-28"), (2018, "2018-02-16"),
        (2019, "2019-02-05"), (2020, "2020-01-25"), (2021, "2021-02-12"),
        (2022, "2022-02-01"), (2023, "2023-01-22"), (2024, "2024-02-10"),
        (2025, "2025-01-29"), (2026, "2026-02-17"), (2027, "2027-02-06"),
        (2028, "2028-01-26"), (2029, "2029-02-13"), (2030, "2030-02-03"),
        (2031, "2031-01-23"), (2032, "2032-02-11"), (2033, "2033-01-31"),
        (2034, "2034-02-19"), (2035, "2035-02-08"),
    )
}  # fmt: skip
