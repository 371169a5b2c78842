"""Customer records (一户一档): enums, field rules per kind, access policy and masking."""

import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from domain import validation
from domain.errors import Invalid
from domain.roles import Actor, Role


class Kind(StrEnum):
    ORGANIZATION = "organization"
    INDIVIDUAL = "individual"


class Stage(StrEnum):
    POTENTIAL = "potential"  # 潜在
    INTENT = "intent"  # 意向
    CUSTOMER = "customer"  # 成交
    LOST = "lost"  # 流失


class ActivityStatus(StrEnum):
    ACTIVE = "active"
    DORMANT = "dormant"
    CHURN_RISK = "churn_risk"


class Grade(StrEnum):
    S = "S"
    A = "A"
    B = "B"
    C = "C"


class Urgency(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Source(StrEnum):
    EXHIBITION = "exhibition"  # 展会
    ONLINE = "online"  # 线上
    REFERRAL = "referral"  # 转介绍
    COLD_CALL = "cold_call"  # 电话开发
    ADVERTISING = "advertising"  # 广告
    PARTNER = "partner"  # 合作伙伴
    OTHER = "other"


class Size(StrEnum):
    """Employee bands (人)."""

    UP_TO_20 = "0-20"
    UP_TO_100 = "20-100"
    UP_TO_500 = "100-500"
    UP_TO_1000 = "500-1000"
    OVER_1000 = "1000+"


# GB/T 4754-2017 sections (门类) and the two-digit divisions (大类) each one spans.
INDUSTRY_SECTIONS: dict[str, tuple[str, str, int, int]] = {
    "A": ("农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery", 1, 5),
    "B": ("采矿业", "Mining", 6, 12),
    "C": ("制造业", "Manufacturing", 13, 43),
    "D": ("电力、热力、燃气及水生产和供应业", "Electricity, heat, gas and water", 44, 46),
    "E": ("建筑业", "Construction", 47, 50),
    "F": ("批发和零售业", "Wholesale and retail", 51, 52),
    "G": ("交通运输、仓储和邮政业", "Transport, storage and post", 53, 60),
    "H": ("住宿和餐饮业", "Accommodation and catering", 61, 62),
    "I": (
        "信息传输、软件和信息技术服务业",
        "Information transmission, software and IT services",
        63,
        65,
    ),
    "J": ("金融业", "Finance", 66, 69),
    "K": ("房地产业", "Real estate", 70, 70),
    "L": ("租赁和商务服务业", "Leasing and business services", 71, 72),
    "M": ("科学研究和技术服务业", "Scientific research and technical services", 73, 75),
    "N": ("水利、环境和公共设施管理业", "Water, environment and public facilities", 76, 79),
    "O": ("居民服务、修理和其他服务业", "Resident, repair and other services", 80, 82),
    "P": ("教育", "Education", 83, 83),
    "Q": ("卫生和社会工作", "Health and social work", 84, 85),
    "R": ("文化、体育和娱乐业", "Culture, sports and entertainment", 86, 90),
    "S": ("公共管理、社会保障和社会组织", "Public administration and social organisations", 91, 96),
    "T": ("国际组织", "International organisations", 97, 97),
}

ORGANIZATION_ONLY = frozenset({"credit_code", "industry", "size", "main_business"})
INDIVIDUAL_ONLY = frozenset({"id_number", "gender", "birthday"})
REQUIRED: dict[Kind, tuple[str, ...]] = {
    Kind.ORGANIZATION: ("name", "credit_code"),
    Kind.INDIVIDUAL: ("name", "id_number"),
}
# Fields only an admin may set; everyone else is refused (mass assignment), never ignored.
# The grade comes from RFM (domain.customer_value) unless an admin fixes it by hand.
ADMIN_ONLY = frozenset({"owner_id", "grade", "grade_locked"})
NOT_NULL = ("name", "stage", "owner_id", "grade_locked")
# Amounts agents never see: the customer's own, those of its orders and opportunities in its
# history, and what is derived from them (the value level).
MONEY_FIELDS = ("cumulative_amount", "amount", "budget_min", "budget_max", "value_level")
# Fields nobody changes after creation.
IMMUTABLE = frozenset({"kind"})


def check_industry(code: str) -> str:
    """A GB/T 4754 section letter, optionally followed by a two-digit division inside it."""
    code = unicodedata.normalize("NFKC", code).strip().upper()  # full-width input methods
    section = INDUSTRY_SECTIONS.get(code[:1])
    if section is None or len(code) not in (1, 3):
        raise validation.InvalidValue(
            "invalid-industry", "must be a GB/T 4754 code such as 'I' or 'I65'"
        )
    if len(code) == 3:
        # isascii: int() also reads other scripts' digits, which would be stored as sent.
        if not (code[1:].isascii() and code[1:].isdigit()) or not (
            section[2] <= int(code[1:]) <= section[3]
        ):
            raise validation.InvalidValue(
                "invalid-industry",
                f"division {code[1:]} is not in section {code[0]} "
                f"({section[2]:02d}-{section[3]:02d})",
            )
    return code


def normalize(kind: Kind, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise the given fields of a customer of `kind`; all errors at once."""
    errors: list[dict[str, str]] = []
    out = dict(fields)
    wrong_kind = ORGANIZATION_ONLY if kind is Kind.INDIVIDUAL else INDIVIDUAL_ONLY
    for name in sorted(wrong_kind):
        if fields.get(name) is not None:
            errors.append({"field": name, "message": f"not a field of an {kind} customer"})
    for name in NOT_NULL:
        if name in fields and fields[name] is None:
            errors.append({"field": name, "message": "cannot be empty"})
    for name in ("name", "region", "address", "main_business"):
        if isinstance(out.get(name), str):
            out[name] = out[name].strip() or None
    checks = {
        "credit_code": validation.normalize_credit_code,
        "id_number": validation.normalize_id_number,
        "industry": check_industry,
    }
    for name, check in checks.items():
        if out.get(name) is not None and name not in wrong_kind:
            try:
                out[name] = check(out[name])
            except validation.InvalidValue as exc:
                errors.append({"field": name, "message": exc.message})
    if (
        kind is Kind.INDIVIDUAL
        and out.get("id_number")
        and not any(e["field"] == "id_number" for e in errors)
    ):
        errors += _check_against_id_number(out)
    if errors:
        raise Invalid(errors)
    return out


def _check_against_id_number(out: dict[str, Any]) -> list[dict[str, str]]:
    """Gender and birthday are encoded in the ID number: fill them in, refuse contradictions."""
    errors = []
    birthday = validation.birthday_from_id_number(out["id_number"])
    gender = validation.gender_from_id_number(out["id_number"])
    if out.get("birthday") is not None and out["birthday"] != birthday:
        errors.append({"field": "birthday", "message": f"ID number says {birthday.isoformat()}"})
    if out.get("gender") is not None and out["gender"] != gender:
        errors.append({"field": "gender", "message": f"ID number says {gender}"})
    out["birthday"], out["gender"] = birthday, gender
    return errors


def check_required(kind: Kind, record: Mapping[str, Any]) -> None:
    missing = [name for name in REQUIRED[kind] if not record.get(name)]
    if missing:
        raise Invalid(
            [{"field": name, "message": f"required for an {kind} customer"} for name in missing]
        )


# ---- access policy -------------------------------------------------------------------------


def owns(actor: Actor, owner_id: int | None) -> bool:
    """The actor is the account manager owning the customer. A pool customer (owner_id None)
    is nobody's."""
    return owner_id is not None and actor.role is Role.ACCOUNT_MANAGER and owner_id == actor.user_id


def can_read(actor: Actor, *, owner_id: int | None, archived: bool) -> bool:
    """Archived customers are the admin's; account managers see only their own (not the pool's:
    they find those in GET /pool)."""
    if archived and not actor.is_admin:
        return False
    if actor.role is Role.ACCOUNT_MANAGER:
        return owns(actor, owner_id)
    return True


def can_write(actor: Actor, *, owner_id: int | None) -> bool:
    return actor.is_admin or owns(actor, owner_id)


def sees_in_full(actor: Actor, owner_id: int | None) -> bool:
    return actor.is_admin or owns(actor, owner_id)


def sees_amounts(actor: Actor) -> bool:
    """Money and what is derived from it (value level, RFM) are hidden from agents."""
    return actor.role is not Role.AGENT


def redact(
    actor: Actor,
    owner_id: int | None,
    values: dict[str, Any],
    sensitive_custom_fields: frozenset[str],
) -> list[str]:
    """Mask or drop, in place, what this actor may not see; returns the affected fields.

    Agents get identity, contacts and tags only: no amounts (nor the value level derived from
    them), no ID numbers, no sensitive custom fields. Supervisors and readonly users see
    everything with ID numbers masked.
    Works on a whole record and on the before/after halves of an audit change alike.
    """
    if sees_in_full(actor, owner_id):
        return []
    touched = []
    if values.get("id_number"):
        values["id_number"] = (
            None if actor.role is Role.AGENT else validation.mask_id_number(values["id_number"])
        )
        touched.append("id_number")
    if not sees_amounts(actor):
        for name in MONEY_FIELDS:
            if name in values:
                values[name] = None
                touched.append(name)
        custom = values.get("custom_fields")
        if isinstance(custom, dict):
            hidden = sorted(k for k in custom if k in sensitive_custom_fields)
            for key in hidden:
                del custom[key]
            touched += [f"custom_fields.{key}" for key in hidden]
    return touched


def redact_contact(actor: Actor, owner_id: int | None, values: dict[str, Any]) -> list[str]:
    """Supervisors and readonly users see mobiles and phones masked; agents see them whole
    because calling customers is their job."""
    if sees_in_full(actor, owner_id) or actor.role is Role.AGENT:
        return []
    touched = []
    for name in ("mobile", "phone"):
        if values.get(name):
            values[name] = validation.mask_phone(values[name])
            touched.append(name)
    return touched


def reach_warnings(ways: int) -> list[dict[str, str]]:
    """A customer should have at least two distinct ways to reach it (warn, do not block).
    `ways`: distinct mobiles, phones, e-mails and WeChat ids across its contacts."""
    if ways >= 2:
        return []
    return [
        {
            "code": "fewer-than-two-contact-methods",
            "message": f"only {ways} way(s) to reach this customer; add a phone, e-mail or WeChat",
        }
    ]
