"""Static demo material, kept as data.

Departments: the province and the provincial departments named in the
parentheses of the Yunnan 2017 implementation plan of the personal
creditworthiness guideline (``/work/shared/seeds/yunnan-2017-implementation-plan.txt``),
the 16 prefectures and cities, and a few municipal departments under 昆明市
and 曲靖市. Several provincial departments of 2017 were merged in the 2018
reform (工商局 and 质监局 into 市场监督管理局, 国税局 and 地税局 into the
tax bureau, 银监局 and 保监局, ...); they stay in the tree as the plan names
them, but recent demo records are decided only by departments that still exist
(``RECORD_DEPARTMENTS`` of the catalogue items below).

Every department has a ``doc`` template for its decision document numbers,
``{year}`` and ``{seq}`` filled in per record (``昆市监罚〔2026〕17号``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.choices import CatalogCategory, DepartmentLevel, Polarity, RecordStatus, Severity, SharingLevel
from registry.roles import Role

SEED = 2017
REASON = "demo data"


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    level: str
    parent: str | None
    doc: str  # decision document number template
    area: str = "云南省"  # where its cases happen (used in the summaries)


PROVINCE = DepartmentSpec("YN", "云南省", DepartmentLevel.PROVINCE, None, "云政发〔{year}〕{seq}号")

# (code suffix, full name, short name in the plan, document number template)
PROVINCIAL_DEPARTMENTS = [
    ("XWB", "云南省人民政府新闻办公室", "省新闻办", "云政新〔{year}〕{seq}号"),
    ("WXB", "中共云南省委网络安全和信息化委员会办公室", "省委网信办", "云网信罚〔{year}〕{seq}号"),
    ("XWGDJ", "云南省新闻出版广电局", "省新闻出版广电局", "云新广罚〔{year}〕{seq}号"),
    ("GSJ", "云南省工商行政管理局", "省工商局", "云工商罚〔{year}〕{seq}号"),
    ("SWT", "云南省商务厅", "省商务厅", "云商务罚〔{year}〕{seq}号"),
    ("JRB", "云南省人民政府金融办公室", "省金融办", "云金办罚〔{year}〕{seq}号"),
    ("SFT", "云南省司法厅", "省司法厅", "云司罚〔{year}〕{seq}号"),
    ("GY", "云南省高级人民法院", "省法院", "（{year}）云执{seq}号"),
    ("RMYH", "中国人民银行昆明中心支行", "人民银行昆明中心支行", "昆银罚〔{year}〕{seq}号"),
    ("JYT", "云南省教育厅", "省教育厅", "云教发〔{year}〕{seq}号"),
    ("RST", "云南省人力资源和社会保障厅", "省人力资源社会保障厅", "云人社罚〔{year}〕{seq}号"),
    ("MZT", "云南省民政厅", "省民政厅", "云民发〔{year}〕{seq}号"),
    ("FGW", "云南省发展和改革委员会", "省发展改革委", "云发改罚〔{year}〕{seq}号"),
    ("GAT", "云南省公安厅", "省公安厅", "云公罚〔{year}〕{seq}号"),
    ("TXGLJ", "云南省通信管理局", "省通信管理局", "云通管罚〔{year}〕{seq}号"),
    ("YZGLJ", "云南省邮政管理局", "省邮政管理局", "云邮管罚〔{year}〕{seq}号"),
    ("WHT", "云南省文化厅", "省文化厅", "云文罚〔{year}〕{seq}号"),
    ("GXW", "云南省工业和信息化委员会", "省工业和信息化委", "云工信罚〔{year}〕{seq}号"),
    ("ZJJ", "云南省质量技术监督局", "省质监局", "云质监罚〔{year}〕{seq}号"),
    ("CZT", "云南省财政厅", "省财政厅", "云财罚〔{year}〕{seq}号"),
    ("JTT", "云南省交通运输厅", "省交通运输厅", "云交罚〔{year}〕{seq}号"),
    ("HBT", "云南省环境保护厅", "省环境保护厅", "云环罚〔{year}〕{seq}号"),
    ("DFSWJ", "云南省地方税务局", "省地税局", "云地税罚〔{year}〕{seq}号"),
    ("GJSWJ", "云南省国家税务局", "省国税局", "云国税罚〔{year}〕{seq}号"),
    ("YHJG", "中国银行业监督管理委员会云南监管局", "云南银监局", "云银监罚决字〔{year}〕{seq}号"),
    ("ZQJG", "中国证券监督管理委员会云南监管局", "云南证监局", "云证监罚〔{year}〕{seq}号"),
    ("BXJG", "中国保险监督管理委员会云南监管局", "云南保监局", "云保监罚〔{year}〕{seq}号"),
]

# (code suffix, name, document-number abbreviation of the government)
PREFECTURES = [
    ("KM", "昆明市", "昆"),
    ("QJ", "曲靖市", "曲"),
    ("YX", "玉溪市", "玉"),
    ("BS", "保山市", "保"),
    ("ZT", "昭通市", "昭"),
    ("LJ", "丽江市", "丽"),
    ("PE", "普洱市", "普"),
    ("LC", "临沧市", "临"),
    ("CX", "楚雄彝族自治州", "楚"),
    ("HH", "红河哈尼族彝族自治州", "红"),
    ("WS", "文山壮族苗族自治州", "文"),
    ("XSBN", "西双版纳傣族自治州", "西"),
    ("DL", "大理白族自治州", "大"),
    ("DH", "德宏傣族景颇族自治州", "德"),
    ("NJ", "怒江傈僳族自治州", "怒"),
    ("DQ", "迪庆藏族自治州", "迪"),
]

# Municipal departments under these prefectures: (suffix, name pattern, document abbreviation pattern)
MUNICIPAL_PREFECTURES = ["KM", "QJ"]
MUNICIPAL_DEPARTMENTS = [
    ("SCJ", "{city}市场监督管理局", "{abbr}市监罚〔{{year}}〕{{seq}}号"),
    ("JTJ", "{city}交通运输局", "{abbr}交运罚〔{{year}}〕{{seq}}号"),
    ("SWJ", "国家税务总局{city}税务局", "{abbr}税罚〔{{year}}〕{{seq}}号"),
    ("YJJ", "{city}应急管理局", "{abbr}应急罚〔{{year}}〕{{seq}}号"),
    ("STHJJ", "{city}生态环境局", "{abbr}环罚〔{{year}}〕{{seq}}号"),
]


def department_specs() -> list[DepartmentSpec]:
    """The whole demo tree, parents before children."""
    specs = [PROVINCE]
    for suffix, name, _short, doc in PROVINCIAL_DEPARTMENTS:
        specs.append(DepartmentSpec(f"YN-{suffix}", name, DepartmentLevel.DEPARTMENT, "YN", doc))
    for suffix, name, abbr in PREFECTURES:
        specs.append(
            DepartmentSpec(
                f"YN-{suffix}", name, DepartmentLevel.PREFECTURE, "YN", f"{abbr}政发〔{{year}}〕{{seq}}号", name
            )
        )
    for prefecture in MUNICIPAL_PREFECTURES:
        city, abbr = next((name, abbr) for suffix, name, abbr in PREFECTURES if suffix == prefecture)
        for suffix, pattern, doc in MUNICIPAL_DEPARTMENTS:
            specs.append(
                DepartmentSpec(
                    f"YN-{prefecture}-{suffix}",
                    pattern.format(city=city),
                    DepartmentLevel.DEPARTMENT,
                    f"YN-{prefecture}",
                    doc.format(abbr=abbr),
                    city,
                )
            )
    return specs


# --- Catalogue ---------------------------------------------------------------------

NEGATIVE_STATUSES = tuple(RecordStatus)
# Honours are not objected to, corrected or repaired.
POSITIVE_STATUSES = (RecordStatus.DRAFT, RecordStatus.ACTIVE, RecordStatus.EXPIRED, RecordStatus.REVOKED)

SCJ = ("YN-KM-SCJ", "YN-QJ-SCJ")
JTJ = ("YN-KM-JTJ", "YN-QJ-JTJ")
SWJ = ("YN-KM-SWJ", "YN-QJ-SWJ")
YJJ = ("YN-KM-YJJ", "YN-QJ-YJJ")
STHJJ = ("YN-KM-STHJJ", "YN-QJ-STHJJ")
ALL_PREFECTURES = tuple(f"YN-{suffix}" for suffix, _name, _abbr in PREFECTURES)


@dataclass(frozen=True)
class CatalogSpec:
    code: str
    name: str
    category: str
    sector: str
    legal_basis: str
    sharing_level: str
    polarity: str
    default_severity: str
    # Severities records of this item are given (the default most often).
    severities: tuple[str, ...]
    # Departments that decide the demo records of this item.
    departments: tuple[str, ...]
    # (summary template, legal basis of the record); {date} {place} {amount} {count} filled in.
    facts: tuple[tuple[str, str], ...]
    weight: int = 10
    is_provincial: bool = False
    overrides: dict = field(default_factory=dict)  # display-period bounds differing from the defaults

    @property
    def statuses(self) -> tuple[str, ...]:
        return POSITIVE_STATUSES if self.polarity == Polarity.POSITIVE else NEGATIVE_STATUSES

    def field_values(self) -> dict:
        """The CatalogItem fields this spec sets (the model's defaults otherwise)."""
        return {
            "name": self.name,
            "category": self.category,
            "sector": self.sector,
            "legal_basis": self.legal_basis,
            "sharing_level": self.sharing_level,
            "polarity": self.polarity,
            "default_severity": self.default_severity,
            "is_provincial": self.is_provincial,
            "is_active": True,
            **self.overrides,
        }


# Work safety, fire safety and special equipment: sector minimum of one year for
# general records (2025 State Council repair plan).
SECTOR_ONE_YEAR = {"general_min_days": 365}

CATALOGUE = [
    CatalogSpec(
        "SP-XZCF-001",
        "食品安全违法行政处罚信息",
        CatalogCategory.ADMINISTRATIVE_PENALTY,
        "食品药品",
        "《中华人民共和国食品安全法》",
        SharingLevel.PUBLIC,
        Polarity.NEGATIVE,
        Severity.GENERAL,
        (Severity.GENERAL, Severity.MINOR, Severity.SERIOUS),
        SCJ,
        (
            (
                "当事人于{date}在{place}经营超过保质期的食品，货值金额{amount}元。",
                "《中华人民共和国食品安全法》第一百二十四条",
            ),
            (
                "当事人于{date}在{place}未取得食品经营许可从事食品经营活动，违法所得{amount}元。",
                "《中华人民共和国食品安全法》第一百二十二条",
            ),
            (
                "当事人于{date}在{place}经营标注虚假生产日期的预包装食品，货值金额{amount}元。",
                "《中华人民共和国食品安全法》第一百二十四条",
            ),
        ),
        weight=14,
    ),
    CatalogSpec(
        "YP-XZCF-001",
        "药品违法行政处罚信息",
        CatalogCategory.ADMINISTRATIVE_PENALTY,
        "食品药品",
        "《中华人民共和国药品管理法》",
        SharingLevel.PUBLIC,
        Polarity.NEGATIVE,
        Severity.GENERAL,
        (Severity.GENERAL, Severity.SERIOUS),
        SCJ,
        (
            (
                "当事人于{date}在{place}未取得药品经营许可证销售药品，货值金额{amount}元。",
                "《中华人民共和国药品管理法》第一百一十五条",
            ),
            ("当事人于{date}在{place}销售劣药，货值金额{amount}元。", "《中华人民共和国药品管理法》第一百一十七条"),
        ),
        weight=6,
    ),
    CatalogSpec(
        "AQ-XZCF-001",
        "安全生产违法行政处罚信息",
        CatalogCategory.ADMINISTRATIVE_PENALTY,
        "安全生产",
        "《中华人民共和国安全生产法》",
        SharingLevel.PUBLIC,
        Polarity.NEGATIVE,
        Severity.GENERAL,
        (Severity.GENERAL, Severity.SERIOUS),
        YJJ,
        (
            (
                "当事人作为生产经营单位主要负责人未履行安全生产管理职责，导致{date}在{place}发生一般生产安全事故。",
                "《中华人民共和国安全生产法》第九十五条",
            ),
            (
                "当事人于{date}在{place}未按规定经专门安全作业培训并取得相应资格从事特种作业。",
                "《中华人民共和国安全生产法》第九十七条",
            ),
        ),
        weight=8,
        overrides=SECTOR_ONE_YEAR,
    ),
    CatalogSpec(
        "XF-XZCF-001",
        "消防安全违法行政处罚信息",
        CatalogCategory.ADMINISTRATIVE_PENALTY,
        "消防安全",
        "《中华人民共和国消防法》",
        SharingLevel.PUBLIC,
        Polarity.NEGATIVE,
        Severity.GENERAL,
        (Severity.GENERAL, Severity.SERIOUS),
        YJJ,
        (
            ("当事人于{date}在{place}占用、堵塞、封闭疏散通道、安全出口。", "《中华人民共和国消防法》第六十条"),
            (
                "当事人于{date}在{place}违反规定使用明火作业，过失引起火灾，造成直接财产损失{amount}元。",
                "《中华人民共和国消防法》第六十四条",
            ),
        ),
        weight=6,
        overrides=SECTOR_ONE_YEAR,
    ),
    CatalogSpec(
        "TZSB-XZCF-001",
        "特种设备安全违法行政处罚信息",
        CatalogCategory.ADMINISTRATIVE_PENALTY,
        "特种设备安全",
        "《中华人民共和国特种设备安全法》",
        SharingLevel.PUBLIC,
        Polarity.NEGATIVE,
        Severity.GENERAL,
        (Severity.GENERAL,),
        SCJ,
        (
            (
                "当事人于{date}在{place}未取得特种设备安全管理和作业人员证书操作起重机械。",
                "《中华人民共和国特种设备安全法》",
            ),
            ("当事人于{date}在{place}使用未经定期检验的电梯。", "《中华人民共和国特种设备安全法》"),
        ),
        weight=4,
        overrides=SECTOR_ONE_YEAR,
    ),
    CatalogSpec(
        "JT-YZWF-001",
        "严重交通违法失信信息",
        CatalogCategory.SERIOUS_UNTRUSTWORTHY,
        "交通安全",
        "《中华人民共和国道路交通安全法》",
        SharingLevel.PUBLIC,
        Polarity.NEGATIVE,
        Severity.SERIOUS,
        (Severity.SERIOUS,),
        ("YN-GAT",),
        (
            (
                "当事人于{date}在{place}醉酒驾驶机动车，被依法吊销机动车驾驶证。",
                "《中华人民共和国道路交通安全法》第九十一条",
            ),
            (
                "当事人于{date}在{place}造成交通事故后逃逸，构成犯罪，被吊销机动车驾驶证且终生不得重新取得。",
                "《中华人民共和国道路交通安全法》第一百零一条",
            ),
        ),
        weight=6,
    ),
    CatalogSpec(
        "JT-XZCF-001",
        "道路运输违法行政处罚信息",
        CatalogCategory.ADMINISTRATIVE_PENALTY,
        "交通安全",
        "《中华人民共和国道路运输条例》",
        SharingLevel.PUBLIC,
        Polarity.NEGATIVE,
        Severity.GENERAL,
        (Severity.GENERAL, Severity.MINOR),
        JTJ + ("YN-JTT",),
        (
            (
                "当事人于{date}在{place}未取得道路运输经营许可，擅自从事道路客运经营，违法所得{amount}元。",
                "《中华人民共和国道路运输条例》第六十三条",
            ),
            ("当事人于{date}在{place}驾驶的货运车辆违法超限运输。", "《公路安全保护条例》"),
        ),
        weight=10,
    ),
    CatalogSpec(
        "HB-XZCF-001",
        "生态环境违法行政处罚信息",
        CatalogCategory.ADMINISTRATIVE_PENALTY,
        "环境保护",
        "《中华人民共和国环境保护法》",
        SharingLevel.PUBLIC,
        Polarity.NEGATIVE,
        Severity.GENERAL,
        (Severity.GENERAL, Severity.SERIOUS),
        STHJJ,
        (
            (
                "当事人作为直接负责的主管人员，于{date}在{place}通过暗管逃避监管的方式违法排放水污染物。",
                "《中华人民共和国环境保护法》第六十三条",
            ),
            (
                "当事人于{date}在{place}擅自倾倒、堆放建筑垃圾约{count}立方米。",
                "《中华人民共和国固体废物污染环境防治法》",
            ),
        ),
        weight=8,
    ),
    CatalogSpec(
        "SW-ZDSS-001",
        "重大税收违法失信主体信息",
        CatalogCategory.SERIOUS_UNTRUSTWORTHY,
        "税收",
        "《中华人民共和国税收征收管理法》；《重大税收违法失信主体信息公布管理办法》",
        SharingLevel.PUBLIC,
        Polarity.NEGATIVE,
        Severity.SERIOUS,
        (Severity.SERIOUS,),
        SWJ,
        (
            (
                "当事人于{date}前采取虚假申报手段少缴个人所得税{amount}元，经查证属实。",
                "《中华人民共和国税收征收管理法》第六十三条",
            ),
        ),
        weight=6,
    ),
    CatalogSpec(
        "SW-QS-001",
        "欠缴税款信息",
        CatalogCategory.LAW_COMPLIANCE,
        "税收",
        "《中华人民共和国税收征收管理法》",
        SharingLevel.CONDITIONAL,
        Polarity.NEGATIVE,
        Severity.GENERAL,
        (Severity.GENERAL, Severity.MINOR),
        SWJ,
        (("当事人截至{date}欠缴税款{amount}元，经催缴逾期仍未缴纳。", "《中华人民共和国税收征收管理法》第六十八条"),),
        weight=6,
    ),
    CatalogSpec(
        "LD-QX-001",
        "拖欠农民工工资失信信息",
        CatalogCategory.SERIOUS_UNTRUSTWORTHY,
        "劳动保障",
        "《保障农民工工资支付条例》；《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》",
        SharingLevel.PUBLIC,
        Polarity.NEGATIVE,
        Severity.SERIOUS,
        (Severity.SERIOUS,),
        ("YN-RST",),
        (
            (
                "当事人作为用人单位实际控制人，截至{date}拖欠{place}项目农民工工资{amount}元，经责令限期支付逾期未支付。",
                "《保障农民工工资支付条例》",
            ),
        ),
        weight=5,
    ),
    CatalogSpec(
        "LD-SB-001",
        "社会保险违法行政处罚信息",
        CatalogCategory.LAW_COMPLIANCE,
        "劳动保障",
        "《中华人民共和国社会保险法》",
        SharingLevel.CONDITIONAL,
        Polarity.NEGATIVE,
        Severity.GENERAL,
        (Severity.GENERAL,),
        ("YN-RST",),
        (
            (
                "当事人于{date}前以伪造证明材料的手段骗取社会保险待遇{amount}元。",
                "《中华人民共和国社会保险法》第八十八条",
            ),
        ),
        weight=4,
    ),
    CatalogSpec(
        "GC-XZCF-001",
        "工程建设领域违法行政处罚信息",
        CatalogCategory.ADMINISTRATIVE_PENALTY,
        "工程建设",
        "《中华人民共和国建筑法》；《中华人民共和国招标投标法》",
        SharingLevel.PUBLIC,
        Polarity.NEGATIVE,
        Severity.GENERAL,
        (Severity.GENERAL, Severity.SERIOUS),
        ("YN-JTT", "YN-FGW") + JTJ,
        (
            (
                "当事人于{date}在{place}公路工程投标中以他人名义投标、弄虚作假骗取中标。",
                "《中华人民共和国招标投标法》第五十四条",
            ),
            (
                "当事人作为项目负责人，于{date}在{place}工程施工中偷工减料，使用不合格的建筑材料。",
                "《中华人民共和国建筑法》",
            ),
        ),
        weight=5,
    ),
    CatalogSpec(
        "JR-FFJZ-001",
        "非法集资失信信息",
        CatalogCategory.SERIOUS_UNTRUSTWORTHY,
        "金融服务",
        "《防范和处置非法集资条例》",
        SharingLevel.PUBLIC,
        Polarity.NEGATIVE,
        Severity.SERIOUS,
        (Severity.SERIOUS,),
        ("YN-GAT",),
        (
            (
                "当事人于{date}前在{place}以高额回报为诱饵向社会公众非法吸收资金{amount}元。",
                "《防范和处置非法集资条例》第三十条",
            ),
        ),
        weight=3,
    ),
    CatalogSpec(
        "JR-XZCF-001",
        "金融领域违法行政处罚信息",
        CatalogCategory.ADMINISTRATIVE_PENALTY,
        "金融服务",
        "《中华人民共和国中国人民银行法》；《中华人民共和国反洗钱法》",
        SharingLevel.CONDITIONAL,
        Polarity.NEGATIVE,
        Severity.GENERAL,
        (Severity.GENERAL, Severity.MINOR),
        ("YN-RMYH",),
        (("当事人于{date}出租、出借本人银行账户供他人使用，涉及资金{amount}元。", "《中华人民共和国反洗钱法》"),),
        weight=3,
    ),
    CatalogSpec(
        "DX-ZP-001",
        "电信网络诈骗失信信息",
        CatalogCategory.SERIOUS_UNTRUSTWORTHY,
        "电信网络",
        "《中华人民共和国反电信网络诈骗法》",
        SharingLevel.PUBLIC,
        Polarity.NEGATIVE,
        Severity.SERIOUS,
        (Severity.SERIOUS,),
        ("YN-GAT", "YN-TXGLJ"),
        (
            (
                "当事人于{date}非法出租、出借本人电话卡及银行账户，被用于电信网络诈骗活动，涉案金额{amount}元。",
                "《中华人民共和国反电信网络诈骗法》第三十一条、第四十四条",
            ),
        ),
        weight=5,
    ),
    CatalogSpec(
        "SF-SXBZX-001",
        "失信被执行人信息",
        CatalogCategory.JUDICIAL,
        "司法",
        "《中华人民共和国民事诉讼法》；《最高人民法院关于公布失信被执行人名单信息的若干规定》",
        SharingLevel.PUBLIC,
        Polarity.NEGATIVE,
        Severity.SERIOUS,
        (Severity.SERIOUS,),
        ("YN-GY",),
        (
            (
                "被执行人有履行能力而拒不履行生效法律文书确定的给付义务，截至{date}未履行金额{amount}元。",
                "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
            ),
        ),
        weight=10,
    ),
    CatalogSpec(
        "JY-XSBD-001",
        "学术不端行为信息",
        CatalogCategory.ADMINISTRATIVE_PENALTY,
        "教育",
        "《中华人民共和国学位法》；《高等学校预防与处理学术不端行为办法》（教育部令第40号）",
        SharingLevel.CONDITIONAL,
        Polarity.NEGATIVE,
        Severity.GENERAL,
        (Severity.GENERAL, Severity.SERIOUS),
        ("YN-JYT",),
        (
            (
                "当事人于{date}前提交的学位论文经认定存在抄袭、剽窃他人研究成果的行为，学位授予单位已撤销其学位。",
                "《高等学校预防与处理学术不端行为办法》（教育部令第40号）",
            ),
            ("当事人在{date}举行的国家教育考试中组织作弊。", "《国家教育考试违规处理办法》"),
        ),
        weight=3,
        is_provincial=True,
    ),
    CatalogSpec(
        "RY-ZYZ-001",
        "优秀志愿者信息",
        CatalogCategory.HONOURS,
        "志愿服务",
        "《志愿服务条例》",
        SharingLevel.PUBLIC,
        Polarity.POSITIVE,
        Severity.GENERAL,
        (Severity.GENERAL,),
        ("YN-MZT",) + ALL_PREFECTURES,
        (("当事人累计参加志愿服务{count}小时，于{date}被评为{place}优秀志愿者。", "《志愿服务条例》"),),
        weight=5,
    ),
    CatalogSpec(
        "RY-DDMF-001",
        "道德模范信息",
        CatalogCategory.HONOURS,
        "诚信建设",
        "《新时代公民道德建设实施纲要》",
        SharingLevel.PUBLIC,
        Polarity.POSITIVE,
        Severity.GENERAL,
        (Severity.GENERAL,),
        ("YN",) + ALL_PREFECTURES,
        (("当事人诚实守信、拾金不昧，于{date}被评为{place}诚实守信道德模范。", "《新时代公民道德建设实施纲要》"),),
        weight=3,
    ),
]

# --- Statuses ------------------------------------------------------------------------

# How often each status appears in the generated records (relative weights).
STATUS_WEIGHTS = {
    RecordStatus.DRAFT: 8,
    RecordStatus.ACTIVE: 50,
    RecordStatus.UNDER_OBJECTION: 5,
    RecordStatus.CORRECTED: 5,
    RecordStatus.REPAIRED: 8,
    RecordStatus.EXPIRED: 18,
    RecordStatus.REVOKED: 4,
}

# The first records show every status in the two Kunming departments that the
# demo caseworkers hold, so each demo user sees all of them.
SHOWCASE_DEPARTMENTS = ("YN-KM-SCJ", "YN-KM-JTJ")


# Departments that register persons (the ones that decide records).
def person_registrars() -> tuple[str, ...]:
    codes = []
    for spec in CATALOGUE:
        for code in spec.departments:
            if code not in codes and code not in ALL_PREFECTURES and code != "YN":
                codes.append(code)
    return tuple(codes)


# --- Names, phones, addresses --------------------------------------------------------

SURNAMES = (
    "李王张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
    "普字者刀岩木和杞保鲁"  # surnames common among Yunnan's Yi, Dai, Naxi and Bai
)
GIVEN_MALE = "伟强磊军勇杰涛明超刚平辉鹏华飞斌波宇浩凯健俊帆帅旭宁龙林洋锋文彬建国志成海东云山松荣春德福"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲琳萍红梅婷雪慧莉兰琴英华秀月萍洁颖倩晶莹蓉春凤桂珍美玉艳彩丹"

MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 173 177 180 181 182 183 185 186 187 188 189 191 198 199"
).split()

STREETS = (
    "人民路",
    "北京路",
    "建设路",
    "环城路",
    "新华街",
    "文化路",
    "团结路",
    "民族路",
    "青年路",
    "东风路",
    "滇池路",
    "龙泉路",
)

# --- Demo users ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: Role | None  # None: the operator superuser
    department: str | None
    password: str
    display_name: str


OPERATOR = UserSpec("operator", None, None, "demo-operator-2026", "运维管理员")

DEMO_USERS = [
    UserSpec("caseworker", Role.CASEWORKER, "YN-KM-SCJ", "demo-caseworker-2026", "张丽"),
    UserSpec("caseworker_b", Role.CASEWORKER, "YN-KM-JTJ", "demo-caseworker-b-2026", "李强"),
    UserSpec("reviewer", Role.REVIEWER, "YN-KM-SCJ", "demo-reviewer-2026", "王芳"),
    UserSpec("publisher", Role.PUBLISHER, "YN-KM-SCJ", "demo-publisher-2026", "赵磊"),
    UserSpec("supervisor", Role.SUPERVISOR, "YN-KM", "demo-supervisor-2026", "杨敏"),
    UserSpec("administrator", Role.ADMINISTRATOR, "YN", "demo-admin-2026", "刘建国"),
]
