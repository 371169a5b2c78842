"""Every figure: its key, section, unit and definition (zh, en). The definition travels with
each answer, into the reports and the README, so a number always says what it counts."""

from dataclasses import dataclass

from domain.analytics.scope import Section


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    section: Section
    unit: str  # count | ratio | hours | score | cny | days
    zh: str
    en: str


_FIGURES = (
    Figure(
        "customers.new",
        Section.CUSTOMERS,
        "count",
        "新增客户：创建时间落在该时段（按配置时区的自然日）内的未归档客户数。",
        "New customers: customers (not archived) created in the bucket, by local date in "
        "the configured zone.",
    ),
    Figure(
        "customers.activity",
        Section.CUSTOMERS,
        "count",
        "活跃状态：当前未归档客户按活跃 / 沉睡 / 流失风险的计数（当前快照，与时段无关）。",
        "Activity: customers (not archived) by their current status active / dormant / "
        "churn risk; a snapshot, not bounded by the period.",
    ),
    Figure(
        "customers.distribution",
        Section.CUSTOMERS,
        "count",
        "客户分布：当前未归档客户按所选维度（行业门类、地区、等级、阶段、来源、价值）的计数；"
        "未填写的计为“未填写”。",
        "Distribution: customers (not archived) by the chosen dimension (industry section, "
        "region, grade, stage, source, value level) today; blanks count as `none`.",
    ),
    Figure(
        "customers.repurchase",
        Section.CUSTOMERS,
        "ratio",
        "复购率：时段内有未取消订单的客户中，时段内有两笔及以上未取消订单的客户占比。",
        "Repurchase rate: of the customers with an order (not cancelled) dated in the "
        "bucket, the share with two or more.",
    ),
    Figure(
        "sales.follow_ups",
        Section.SALES,
        "count",
        "跟进次数：跟进时间在时段内的跟进记录数，按跟进人和方式分列。",
        "Follow-ups: follow-ups dated in the period, per owner (who made it) and method.",
    ),
    Figure(
        "sales.funnel",
        Section.SALES,
        "count",
        "商机漏斗：时段内创建的商机按当前阶段计数；到达某阶段的数 = 当前处于该阶段或其后阶段"
        "（含赢单）的数，输单的只计入“意向”；某阶段的转化率 = 到达下一阶段的数 / 到达该阶段的数；"
        "赢单金额为赢单商机所关联未取消订单金额之和，输单金额为输单商机预算上限之和。",
        "Opportunity funnel: opportunities created in the period by current stage; those "
        "that reached a stage = those at it or a later one (won included), lost ones "
        "counting at intent only; a stage's conversion = reached the next / reached it; won "
        "amount = orders (not cancelled) linked to won ones, lost amount = budget maximum "
        "of lost ones.",
    ),
    Figure(
        "sales.cycle",
        Section.SALES,
        "days",
        "成交周期：时段内赢单的商机，从客户首次接触到赢单的天数中位数（自然日）。",
        "Conversion cycle: for opportunities won in the bucket, the median number of "
        "calendar days from the customer's first contact to the win.",
    ),
    Figure(
        "sales.pool",
        Section.SALES,
        "count",
        "公海流动：时段内释放入公海和从公海领取的客户次数。",
        "Pool movement: releases to and claims from the public pool in the bucket.",
    ),
    Figure(
        "service.volume",
        Section.SERVICE,
        "count",
        "工单量：按开单时间计的新建工单数、按解决时间计的已解决数、按关闭时间计的已关闭数，"
        "可按类型、渠道或优先级分列。",
        "Ticket volume: tickets opened (by opening time), resolved (by resolution time) and "
        "closed (by closing time, cancellations excluded) per bucket, split by type, channel "
        "or priority.",
    ),
    Figure(
        "service.backlog",
        Section.SERVICE,
        "count",
        "积压：每个时段结束时已开单、尚未解决、关闭或取消的工单数。",
        "Backlog: tickets opened before the end of the bucket and not resolved, closed or "
        "cancelled by then.",
    ),
    Figure(
        "service.sla",
        Section.SERVICE,
        "ratio",
        "SLA 达成率：首次响应落在时段内的工单中，首次响应用时（工作时间，扣除等待客户）不超过"
        "目标的占比；解决落在时段内的工单中，解决用时不超过目标的占比。",
        "SLA on-time rates: of the tickets first answered in the bucket, the share answered "
        "within the first-response target (working time on the ticket's calendar, waiting "
        "for the customer left out); likewise for tickets resolved in the bucket against "
        "the resolution target.",
    ),
    Figure(
        "service.durations",
        Section.SERVICE,
        "hours",
        "响应与解决时长：时段内首次响应 / 解决的工单，用时（工作小时，扣除等待客户）的中位数与"
        "第 90 百分位（取不小于该比例的最小实际值）。",
        "Response and resolution times: for tickets first answered / resolved in the "
        "bucket, the median and p90 of the working hours taken (pauses left out; discrete "
        "percentile: the smallest value with that share at or below it).",
    ),
    Figure(
        "service.reopen",
        Section.SERVICE,
        "ratio",
        "重开率：解决落在时段内的工单中，曾被重开过的占比。",
        "Reopen rate: of the tickets resolved in the bucket, the share reopened at least once.",
    ),
    Figure(
        "service.agents",
        Section.SERVICE,
        "count",
        "坐席工作量：每位处理人当前未结工单数、时段内新分派（开单）数、解决数及首次响应与解决的"
        "SLA 达成率。",
        "Agent workload: per assignee, open tickets now, tickets opened in the period "
        "assigned to them, tickets resolved in the period, and their on-time rates.",
    ),
    Figure(
        "service.satisfaction",
        Section.SERVICE,
        "score",
        "满意度：关闭时间落在时段内的工单的满意度评分（1–5）按维度（响应速度、解决效果、服务态度、"
        "总体）的平均值。",
        "Satisfaction: mean score (1–5) per dimension (response speed, resolution, "
        "attitude, overall) of the tickets closed in the bucket.",
    ),
    Figure(
        "service.top_problems",
        Section.SERVICE,
        "score",
        "问题 Top 5：时段内关闭的工单中，总体满意度平均分最低的五个工单类型"
        "（平均分相同按类型排序）。",
        "Top-5 problems: the five ticket types with the lowest mean overall satisfaction "
        "among tickets closed in the period (ties by type).",
    ),
    Figure(
        "service.complaints",
        Section.SERVICE,
        "count",
        "投诉分析：时段内开单的投诉工单按责任方和根因计数；未填写计为“未填写”。",
        "Complaints: complaint tickets opened in the period by responsible party and root "
        "cause; blanks count as `none`.",
    ),
)

FIGURES: dict[str, Figure] = {f.key: f for f in _FIGURES}
