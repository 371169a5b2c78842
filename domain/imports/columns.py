"""The columns of an import file per kind: field, headers in both languages, synonyms that
people use for them, and the choices of enum columns as people write them."""

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from domain.customer import INDUSTRY_SECTIONS, Gender, Grade, Kind, Size, Source, Stage, Urgency


class ImportKind(StrEnum):
    """What a file imports."""

    CUSTOMERS = "customers"
    FOLLOW_UPS = "follow_ups"
    ORDERS = "orders"


class Mode(StrEnum):
    DRY_RUN = "dry_run"  # check every row, write nothing
    INSERT_ONLY = "insert_only"  # duplicates are errors
    UPSERT = "upsert"  # a row matching a customer updates it (only the columns present)
    SKIP_DUPLICATES = "skip_duplicates"  # duplicates are left out


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the field: "name", "contact1.mobile", "tags", "custom.<key>"
    zh: str
    en: str
    type: str = "text"  # text | enum | date | phone | email | code | number | list
    synonyms: tuple[str, ...] = ()
    # enum columns: stored value -> (zh label, en label)
    choices: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    required: bool = False
    help_zh: str = ""
    help_en: str = ""

    def header(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


KIND_CHOICES = {
    Kind.ORGANIZATION.value: ("企业", "Organization"),
    Kind.INDIVIDUAL.value: ("个人", "Individual"),
}
STAGE_CHOICES = {
    Stage.POTENTIAL.value: ("潜在", "Potential"),
    Stage.INTENT.value: ("意向", "Intent"),
    Stage.CUSTOMER.value: ("成交", "Customer"),
    Stage.LOST.value: ("流失", "Lost"),
}
GRADE_CHOICES = {g.value: (g.value, g.value) for g in Grade}
SOURCE_CHOICES = {
    Source.EXHIBITION.value: ("展会", "Exhibition"),
    Source.ONLINE.value: ("线上", "Online"),
    Source.REFERRAL.value: ("转介绍", "Referral"),
    Source.COLD_CALL.value: ("电话开发", "Cold call"),
    Source.ADVERTISING.value: ("广告", "Advertising"),
    Source.PARTNER.value: ("合作伙伴", "Partner"),
    Source.OTHER.value: ("其他", "Other"),
}
URGENCY_CHOICES = {
    Urgency.HIGH.value: ("高", "High"),
    Urgency.MEDIUM.value: ("中", "Medium"),
    Urgency.LOW.value: ("低", "Low"),
}
GENDER_CHOICES = {Gender.MALE.value: ("男", "Male"), Gender.FEMALE.value: ("女", "Female")}
SIZE_CHOICES = {s.value: (f"{s.value}人", f"{s.value} employees") for s in Size}
INDUSTRY_CHOICES = {code: (zh, en) for code, (zh, en, _, _) in INDUSTRY_SECTIONS.items()}
METHOD_CHOICES = {
    "phone": ("电话", "Phone"),
    "visit": ("拜访", "Visit"),
    "email": ("邮件", "E-mail"),
    "wechat": ("微信", "WeChat"),
    "meeting": ("会议", "Meeting"),
    "sms": ("短信", "SMS"),
}
ORDER_STATUS_CHOICES = {
    "pending": ("待确认", "Pending"),
    "confirmed": ("已确认", "Confirmed"),
    "completed": ("已完成", "Completed"),
    "cancelled": ("已取消", "Cancelled"),
}

CONTACT_SLOTS = 2  # contacts per row in the template; the reader takes up to 3


def _contact_columns(slot: int) -> list[Column]:
    n = "" if slot == 1 else str(slot)
    alt = (f"联系人{slot}", f"第{'一二三'[slot - 1]}联系人")
    return [
        Column(
            f"contact{slot}.name",
            f"联系人{n}",
            f"Contact{n}",
            synonyms=(
                *alt,
                f"联系人{n}姓名",
                f"联系人姓名{n}",
                f"contact{slot}",
                f"contact {slot} name",
            )
            + (("姓名", "联系人名称") if slot == 1 else ()),
            help_zh="联系人姓名；填了手机、电话、邮箱或微信时必填",
            help_en="The contact's name; required when any of their details is given",
        ),
        Column(
            f"contact{slot}.title",
            f"职务{n}",
            f"Title{n}",
            synonyms=(f"职位{n}", f"联系人{n}职务", f"title{slot}"),
            help_zh="职务",
            help_en="Job title",
        ),
        Column(
            f"contact{slot}.mobile",
            f"手机{n}",
            f"Mobile{n}",
            "phone",
            synonyms=(
                f"手机号{n}",
                f"手机号码{n}",
                f"联系电话{n}",
                f"移动电话{n}",
                f"联系人{n}手机",
                f"mobile{slot}",
                f"mobile phone{n}",
            ),
            help_zh="11 位手机号；请把列设为文本，避免 Excel 改成科学计数法",
            help_en="Mobile number; format the column as text so Excel keeps every digit",
        ),
        Column(
            f"contact{slot}.phone",
            f"电话{n}",
            f"Phone{n}",
            "phone",
            synonyms=(f"座机{n}", f"固定电话{n}", f"办公电话{n}", f"phone{slot}"),
            help_zh="座机，可带区号，如 021-12345678",
            help_en="Landline, e.g. 021-12345678",
        ),
        Column(
            f"contact{slot}.email",
            f"邮箱{n}",
            f"E-mail{n}",
            "email",
            synonyms=(f"电子邮箱{n}", f"邮件{n}", f"email{n}", f"e-mail{slot}", f"email{slot}"),
            help_zh="电子邮箱",
            help_en="E-mail address",
        ),
        Column(
            f"contact{slot}.wechat",
            f"微信{n}",
            f"WeChat{n}",
            synonyms=(f"微信号{n}", f"wechat{slot}"),
            help_zh="微信号",
            help_en="WeChat id",
        ),
    ]


CUSTOMER_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "客户编号",
        "Code",
        "code",
        synonyms=("客户代码", "编号", "customer code"),
        help_zh="系统生成的客户编号（C+年月+序号）；新客户留空，填写时用于匹配已有客户",
        help_en="The system's customer code; leave empty for new customers",
    ),
    Column(
        "kind",
        "客户类型",
        "Kind",
        "enum",
        synonyms=("类型", "类别", "type"),
        choices=KIND_CHOICES,
        help_zh="企业或个人；留空时按信用代码或身份证号判断",
        help_en="Organization or individual; when empty, judged by the credit code or ID",
    ),
    Column(
        "name",
        "客户名称",
        "Name",
        required=True,
        synonyms=(
            "公司名称",
            "单位名称",
            "企业名称",
            "客户名",
            "名称",
            "客户姓名",
            "customer name",
            "company",
            "company name",
        ),
        help_zh="必填；企业全称或个人姓名",
        help_en="Required; company or person's name",
    ),
    Column(
        "credit_code",
        "统一社会信用代码",
        "Credit code",
        "code",
        synonyms=(
            "信用代码",
            "社会信用代码",
            "税号",
            "纳税人识别号",
            "uscc",
            "unified social credit code",
        ),
        help_zh="企业必填，18 位，校验位须正确",
        help_en="Required for organizations: 18 characters with a valid check digit",
    ),
    Column(
        "id_number",
        "身份证号",
        "ID number",
        "code",
        synonyms=("身份证", "身份证号码", "证件号码", "id", "id card"),
        help_zh="个人必填，18 位，校验位须正确",
        help_en="Required for individuals: 18 characters with a valid check digit",
    ),
    Column(
        "gender",
        "性别",
        "Gender",
        "enum",
        choices=GENDER_CHOICES,
        synonyms=("sex",),
        help_zh="个人客户：男/女",
        help_en="Individuals: male or female",
    ),
    Column(
        "birthday",
        "出生日期",
        "Birthday",
        "date",
        synonyms=("生日", "出生年月日", "date of birth"),
        help_zh="个人客户，如 1990-03-07",
        help_en="Individuals, e.g. 1990-03-07",
    ),
    Column(
        "industry",
        "行业",
        "Industry",
        "enum",
        choices=INDUSTRY_CHOICES,
        synonyms=("所属行业", "行业分类", "行业代码"),
        help_zh="国民经济行业分类门类（如“信息传输、软件和信息技术服务业”或 I），"
        "也可填大类代码如 I65",
        help_en="GB/T 4754 section (name or letter), or a division code such as I65",
    ),
    Column(
        "size",
        "规模",
        "Size",
        "enum",
        choices=SIZE_CHOICES,
        synonyms=("企业规模", "人数", "员工人数", "人员规模", "employees"),
        help_zh="员工人数段",
        help_en="Employee band",
    ),
    Column(
        "main_business",
        "主营业务",
        "Main business",
        synonyms=("经营范围", "主营"),
        help_zh="企业客户的主营业务",
        help_en="Organizations' main business",
    ),
    Column(
        "region",
        "地区",
        "Region",
        synonyms=("区域", "所在地区", "省市", "城市", "所在城市"),
        help_zh="如 上海市浦东新区",
        help_en="e.g. Shanghai Pudong",
    ),
    Column(
        "address",
        "地址",
        "Address",
        synonyms=("详细地址", "公司地址", "联系地址", "通讯地址"),
        help_zh="详细地址",
        help_en="Street address",
    ),
    Column(
        "stage",
        "客户阶段",
        "Stage",
        "enum",
        choices=STAGE_CHOICES,
        synonyms=("阶段", "生命周期", "客户状态", "lifecycle stage"),
        help_zh="潜在/意向/成交/流失，留空为潜在",
        help_en="Empty means potential",
    ),
    Column(
        "grade",
        "客户等级",
        "Grade",
        "enum",
        choices=GRADE_CHOICES,
        synonyms=("等级", "价值等级", "级别"),
        help_zh="S/A/B/C，仅管理员可导入",
        help_en="S, A, B or C; admins only",
    ),
    Column(
        "source",
        "客户来源",
        "Source",
        "enum",
        choices=SOURCE_CHOICES,
        synonyms=("来源", "获客渠道", "渠道"),
        help_zh="客户来源",
        help_en="Where it came from",
    ),
    Column(
        "urgency",
        "紧急程度",
        "Urgency",
        "enum",
        choices=URGENCY_CHOICES,
        synonyms=("紧急度", "优先级"),
        help_zh="高/中/低",
        help_en="High, medium or low",
    ),
    Column(
        "owner",
        "负责人",
        "Owner",
        synonyms=("客户经理", "归属人", "销售", "owner username"),
        help_zh="负责人的用户名，仅管理员可填；留空为导入人",
        help_en="The owner's username (admins only); empty: whoever imports",
    ),
    Column(
        "tags",
        "标签",
        "Tags",
        "list",
        synonyms=("客户标签", "标记"),
        help_zh="已有标签名，多个用逗号或顿号分隔，如 区域-华东、状态-意向强烈",
        help_en="Existing tag names separated by commas",
    ),
    *(c for slot in range(1, CONTACT_SLOTS + 2) for c in _contact_columns(slot)),
)
# The template shows two contacts; a third set of contact columns is read when present.
TEMPLATE_HIDDEN = frozenset(c.key for c in _contact_columns(CONTACT_SLOTS + 1))

_CUSTOMER_REF = (
    Column(
        "customer_code",
        "客户编号",
        "Customer code",
        "code",
        synonyms=("编号", "客户代码", "code"),
        help_zh="客户编号或统一社会信用代码，至少填一项",
        help_en="Customer code or credit code: at least one",
    ),
    Column(
        "customer_credit_code",
        "统一社会信用代码",
        "Credit code",
        "code",
        synonyms=("信用代码", "社会信用代码", "credit code"),
        help_zh="用于匹配客户",
        help_en="To find the customer",
    ),
    Column(
        "customer_name",
        "客户名称",
        "Customer name",
        synonyms=("公司名称", "单位名称", "客户"),
        help_zh="仅供核对，不用于匹配",
        help_en="For reference only; not used to match",
    ),
)

FOLLOW_UP_COLUMNS: tuple[Column, ...] = (
    *_CUSTOMER_REF,
    Column(
        "at",
        "跟进时间",
        "When",
        "date",
        required=True,
        synonyms=("跟进日期", "日期", "时间", "date"),
        help_zh="必填，如 2024-03-05",
        help_en="Required, e.g. 2024-03-05",
    ),
    Column(
        "method",
        "跟进方式",
        "Method",
        "enum",
        required=True,
        choices=METHOD_CHOICES,
        synonyms=("方式", "沟通方式"),
        help_zh="必填",
        help_en="Required",
    ),
    Column(
        "summary",
        "跟进内容",
        "Summary",
        required=True,
        synonyms=("内容", "摘要", "沟通内容", "记录"),
        help_zh="必填",
        help_en="Required",
    ),
    Column("feedback", "客户反馈", "Feedback", synonyms=("反馈",), help_zh="", help_en=""),
    Column(
        "effective",
        "有效跟进",
        "Effective",
        "enum",
        choices={"true": ("是", "Yes"), "false": ("否", "No")},
        synonyms=("客户有回应",),
        help_zh="客户是否有回应：是/否",
        help_en="Did the customer respond",
    ),
    Column(
        "next_action",
        "下一步",
        "Next action",
        synonyms=("下一步计划", "下次跟进"),
        help_zh="",
        help_en="",
    ),
    Column(
        "next_action_due_on",
        "下一步日期",
        "Next action due",
        "date",
        synonyms=("下次跟进日期", "计划日期"),
        help_zh="",
        help_en="",
    ),
)

ORDER_COLUMNS: tuple[Column, ...] = (
    *_CUSTOMER_REF,
    Column(
        "order_no",
        "订单号",
        "Order no.",
        "code",
        required=True,
        synonyms=("订单编号", "单号"),
        help_zh="必填，唯一",
        help_en="Required, unique",
    ),
    Column("contract_no", "合同号", "Contract no.", synonyms=("合同编号",), help_zh="", help_en=""),
    Column(
        "product",
        "产品",
        "Product",
        required=True,
        synonyms=("产品名称", "商品", "品名"),
        help_zh="必填",
        help_en="Required",
    ),
    Column(
        "amount",
        "金额",
        "Amount",
        "number",
        required=True,
        synonyms=("订单金额", "合同金额", "金额（元）", "金额(元)"),
        help_zh="必填，人民币元，最多两位小数",
        help_en="Required, CNY, at most 2 decimals",
    ),
    Column(
        "ordered_on",
        "下单日期",
        "Ordered on",
        "date",
        required=True,
        synonyms=("订单日期", "日期", "签约日期"),
        help_zh="必填",
        help_en="Required",
    ),
    Column(
        "status",
        "订单状态",
        "Status",
        "enum",
        choices=ORDER_STATUS_CHOICES,
        synonyms=("状态",),
        help_zh="留空为已确认",
        help_en="Empty means confirmed",
    ),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.CUSTOMERS: CUSTOMER_COLUMNS,
    ImportKind.FOLLOW_UPS: FOLLOW_UP_COLUMNS,
    ImportKind.ORDERS: ORDER_COLUMNS,
}

# The error column of our own report: a corrected report uploads again without a warning.
REPORT_HEADERS = frozenset({"错误", "errors"})
_NOISE = re.compile(r"[\s*＊:：_\-]|[（(](必填|选填|required|optional)[)）]")


def header_key(text: str) -> str:
    """A header as compared: NFKC, no spaces, required markers or punctuation, lower case."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", str(text))).casefold()


def custom_columns(definitions: Mapping[str, object]) -> list[Column]:
    """A column per custom field definition (label_zh / label_en / key as headers)."""
    out = []
    for key, d in definitions.items():
        options = getattr(d, "options", None) or []
        out.append(
            Column(
                f"custom.{key}",
                getattr(d, "label_zh", key),
                getattr(d, "label_en", key),
                "enum" if options else "text",
                synonyms=(key,),
                choices={o: (o, o) for o in options},
                required=bool(getattr(d, "required", False)),
                help_zh="自定义字段",
                help_en="Custom field",
            )
        )
    return out


def match_headers(
    headers: Sequence[str],
    columns: Iterable[Column],
    overrides: Mapping[str, str | None] | None = None,
) -> tuple[dict[int, str], list[str]]:
    """Which header index feeds which field, and the headers that feed none.

    Names first (zh, en, the key), then synonyms; a field takes the first header that names
    it. `overrides` (header text → field key, or None to ignore the column) win over both."""
    columns = list(columns)
    lookup: dict[str, str] = {}
    for c in columns:  # exact names before synonyms, so 联系人2 never shadows a real name
        for name in (c.zh, c.en, c.key):
            lookup.setdefault(header_key(name), c.key)
    for c in columns:
        for name in c.synonyms:
            lookup.setdefault(header_key(name), c.key)
    known = {c.key for c in columns}
    overrides = {header_key(h): v for h, v in (overrides or {}).items()}
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    unmapped = []
    for index, header in enumerate(headers):
        if header is None or str(header).strip() == "":
            continue
        key = header_key(header)
        if key in REPORT_HEADERS:
            continue
        target = overrides[key] if key in overrides else lookup.get(key)
        if target is not None and target in known and target not in taken:
            mapping[index] = target
            taken.add(target)
        else:
            unmapped.append(str(header))
    return mapping, unmapped


def customer_field_label(name: str, language: str) -> str:
    """A customer field's name for people (`owner_id` is its owner), in zh-CN or en."""
    key = "owner" if name == "owner_id" else name
    for column in COLUMNS[ImportKind.CUSTOMERS]:
        if column.key == key:
            return column.header("en" if language == "en" else "zh")
    return name
