"""E-mail copies of in-app notifications (capability 14): who gets one and what it says.

Users have no e-mail column: a username that is an e-mail address is where the copy goes;
other users, and deactivated ones, get none.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email

from domain.imports.columns import customer_field_label

# Where the web app shows an entity (paths under the app's own origin).
LINKS = {"ticket": "/tickets/{id}", "customer": "/customers/{id}", "report": "/reports"}


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str  # maintype/subtype
    data: bytes


@dataclass(frozen=True, slots=True)
class Email:
    to_address: str
    to_name: str
    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()


# What a user may stop getting by e-mail, by topic (their inbox in the app keeps everything).
# Kinds in no topic (a failed backup, to the admins) are always e-mailed.
EMAIL_TOPICS: dict[str, tuple[str, ...]] = {
    "tickets": ("ticket_assigned", "ticket_unrouted", "ticket_collaborator", "mention"),
    "sla": ("sla_warning", "sla_breach", "sla_escalation", "update_reminder"),
    "customers": (
        "pool_release",
        "pool_warning",
        "customer_dormant",
        "customer_churn_risk",
        "verification_due",
        "follow_up_due",
        "next_action_due",
        "stale_opportunity",
    ),
    "approvals": ("change_request_pending", "change_request_approved", "change_request_rejected"),
    "reports": ("report_ready", "trend_alert"),
}
_TOPIC_OF = {kind: topic for topic, kinds in EMAIL_TOPICS.items() for kind in kinds}


def wanted(kind: str, muted: Iterable[str]) -> bool:
    """Whether a notification of `kind` is e-mailed to a user who muted these topics."""
    return _TOPIC_OF.get(kind) not in set(muted)


def address_of(username: str, *, active: bool = True) -> str | None:
    """The username if it is a deliverable-looking address of an active user, else None."""
    if not active or "@" not in username:
        return None
    try:
        checked = validate_email(username, check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.ascii_email or checked.normalized


def link_of(entity_type: str | None, entity_id: int | None) -> str | None:
    template = LINKS.get(entity_type or "")
    return template.format(id=entity_id) if template and entity_id is not None else None


def one_line(text: str) -> str:
    """Header-safe: a title typed with line breaks must not add (or break) headers."""
    return " ".join(text.split())


# A notification in its recipient's language, by kind (and for some kinds the target of the
# clock): the web app's texts (frontend/src/i18n, `notificationText`), which a test holds equal.
TEXTS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "ticket_assigned": "工单 {code} 已分派给你: {title}",
        "ticket_assigned_new": "新工单 {code}: {title}",
        "ticket_unrouted": "待分派工单 {code}: {title}",
        "ticket_collaborator": "请协同工单 {code}: {title}",
        "mention": "{code} 中有人提到了你",
        "sla_warning.first_response": "工单 {code} 首次响应即将超时",
        "sla_warning.resolution": "工单 {code} 即将超过解决时限",
        "sla_breach.first_response": "工单 {code} 首次响应已超时",
        "sla_breach.resolution": "工单 {code} 已超过解决时限",
        "sla_escalation.first_response": "工单 {code} 首次响应超时，已升级给主管",
        "sla_escalation.resolution": "工单 {code} 解决超时，已升级给主管",
        "update_reminder.update": "工单 {code} 已到客户更新时间，请回复客户",
        "pool_release.default": "客户 {name} 已退回公海",
        "pool_release.no_follow_up": "客户 {name} 已退回公海：超过 {days} 天没有有效跟进",
        "pool_release.no_order": "客户 {name} 已退回公海：超过 {days} 天没有订单",
        "pool_warning.default": "客户 {name} 即将退回公海",
        "pool_warning.no_follow_up": "客户 {name} 再过 {days} 天仍没有有效跟进，将退回公海",
        "pool_warning.no_order": "客户 {name} 再过 {days} 天仍没有订单，将退回公海",
        "follow_up_due": "跟进到期: {name}",
        "next_action_due": "下一步行动到期: {name}",
        "stale_opportunity": "商机停滞: {title}",
        "customer_dormant": "客户已休眠，请制定激活计划：{name}",
        "customer_churn_risk": "客户有流失风险（久未下单且近期投诉）：{name}",
        "verification_due": "请核查客户基本信息：{name}",
        "change_request_pending": "变更申请待审批: {name} 的{fields}",
        "change_request_approved": "变更申请已通过: {name} 的{fields}",
        "change_request_rejected": "变更申请被驳回: {name} 的{fields}",
        "webhook_failing": "Webhook 投递持续失败（已重试 24 小时）：{url}",
    },
    "en": {
        "ticket_assigned": "Ticket {code} was assigned to you: {title}",
        "ticket_assigned_new": "New ticket {code}: {title}",
        "ticket_unrouted": "Ticket {code} waits for assignment: {title}",
        "ticket_collaborator": "Please collaborate on ticket {code}: {title}",
        "mention": "You were mentioned in {code}",
        "sla_warning.first_response": "Ticket {code}: first response is almost due",
        "sla_warning.resolution": "Ticket {code}: resolution is almost due",
        "sla_breach.first_response": "Ticket {code}: first response is overdue",
        "sla_breach.resolution": "Ticket {code}: resolution is overdue",
        "sla_escalation.first_response": "Ticket {code}: first response overdue, "
        "escalated to the supervisor",
        "sla_escalation.resolution": "Ticket {code}: resolution overdue, "
        "escalated to the supervisor",
        "update_reminder.update": "Ticket {code}: time to update the customer",
        "pool_release.default": "Customer {name} went back to the public pool",
        "pool_release.no_follow_up": "Customer {name} went back to the public pool: no "
        "effective follow-up for over {days} days",
        "pool_release.no_order": "Customer {name} went back to the public pool: no order for "
        "over {days} days",
        "pool_warning.default": "Customer {name} will soon go back to the public pool",
        "pool_warning.no_follow_up": "Customer {name} goes back to the public pool in {days} "
        "days without an effective follow-up",
        "pool_warning.no_order": "Customer {name} goes back to the public pool in {days} days "
        "without an order",
        "follow_up_due": "Follow-up due: {name}",
        "next_action_due": "Next action due: {name}",
        "stale_opportunity": "Opportunity stalled: {title}",
        "customer_dormant": "Customer went dormant, plan its activation: {name}",
        "customer_churn_risk": "Customer at risk of churn (no recent orders, a recent "
        "complaint): {name}",
        "verification_due": "Check the basic information of: {name}",
        "change_request_pending": "Change request to approve: {fields} of {name}",
        "change_request_approved": "Change request approved: {fields} of {name}",
        "change_request_rejected": "Change request rejected: {fields} of {name}",
        "webhook_failing": "Webhook failing: deliveries to {url} failed for 24 hours",
    },
}
SEPARATOR = {"zh-CN": "、", "en": ", "}
OPEN = {"zh-CN": "查看：{link}", "en": "Open: {link}"}
SIGNATURE = {
    "zh-CN": "—— 客户关系与服务管理 CRM（系统自动发送，请勿回复）",
    "en": "— CRM, customer relationship and service management (sent automatically; "
    "please do not reply)",
}


def text_of(kind: str, params: Mapping[str, Any] | None, title: str, language: str) -> str:
    """The notification in `language` from its kind and parameters; its stored (Chinese)
    title when it has no parameters (written before they were kept) or its kind has no text.
    Change requests list customer fields by their names in the language."""
    texts = TEXTS.get(language, TEXTS["zh-CN"])
    if not params:
        return title
    # A kind whose text depends on a parameter keeps its variants under the kind; `default`
    # is for rows written before the parameter was kept (the web app's notificationText too).
    base = "ticket_assigned_new" if kind == "ticket_assigned" and params.get("new") else kind
    target = params.get("target")
    keys = [f"{base}.{target}"] if isinstance(target, str) else [base, f"{base}.default"]
    template = next((texts[k] for k in keys if k in texts), None)
    if template is None:
        return title
    values = {k: str(v) for k, v in params.items()}
    if isinstance(params.get("fields"), list):
        separator = SEPARATOR.get(language, SEPARATOR["zh-CN"])
        values["fields"] = separator.join(
            customer_field_label(str(f), language) for f in params["fields"]
        )
    try:
        return template.format_map(values)
    except KeyError:  # a parameter the text needs is missing
        return title


def compose(
    *,
    address: str,
    name: str,
    subject: str,
    body: str | None,
    entity_type: str | None,
    entity_id: int | None,
    language: str = "zh-CN",
    attachments: tuple[Attachment, ...] = (),
) -> Email:
    """The subject is the notification in the recipient's language (text_of); the text is its
    body (or the subject) and a link; a report's notification carries the report's files."""
    if language not in SIGNATURE:
        language = "zh-CN"
    parts = [body.strip() if body and body.strip() else subject.strip()]
    link = link_of(entity_type, entity_id)
    if link:
        parts.append(OPEN[language].format(link=link))
    parts.append(SIGNATURE[language])
    return Email(
        to_address=address,
        to_name=one_line(name),
        subject=one_line(subject),
        text="\n\n".join(parts) + "\n",
        attachments=attachments,
    )
