"""Labels, texts and number formats of the weekly report in Chinese (`zh`) and English (`en`).

Business labels that exist in the warehouse (region, tier, segment, stage, signal and action
names) come from the marts, which carry both languages; this module holds only the report's
own wording and the number formats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

LANGUAGES = ("zh", "en")
PCT_METRICS = frozenset({"mape", "total_abs_pct_error", "interval_coverage"})

_TEXTS: dict[str, tuple[str, str]] = {
    # page
    "title": ("大客户销售周报", "Key-account sales weekly report"),
    "week": ("周次", "Week"),
    "period": ("本周", "Week of"),
    "as_of": ("数据截止日", "Data as of"),
    "as_of_differs": (
        "注意:数据集市按 {as_of} 构建,与本周结束日 {week_end} 不同;以下所有数字均截至 {as_of}。",
        "Note: the marts were built as of {as_of}, not as of this week's last day "
        "({week_end}); every number below is as of {as_of}.",
    ),
    "as_of_matches": (
        "数据集市截止日与本周结束日一致。",
        "The marts are as of the week's last day.",
    ),
    "window": ("统计期(近 {months} 个月)", "Window (last {months} months)"),
    "generated": ("生成时间", "Generated at"),
    "source_note": (
        "数据来源:仅读取 DuckDB 仓库中的 marts 数据集市;指标口径在 dbt 模型中定义。",
        "Source: the marts of the DuckDB warehouse only; metric definitions live in the dbt "
        "models.",
    ),
    "rollup_note": (
        "合计与比率为集市可加列(收入、成本、订单数等)的汇总及其比值。",
        "Totals and ratios are sums of the marts' additive columns (revenue, margin, orders, …) "
        "and ratios of those sums.",
    ),
    # sections
    "sec_kpis": ("核心指标", "Headline KPIs"),
    "sec_changes": ("与上周相比的变化", "What changed since last week"),
    "sec_revenue": ("收入趋势", "Revenue"),
    "sec_accounts": ("大客户结构", "Key accounts"),
    "sec_segments": ("客户分层与 RFM", "Tiers and RFM segments"),
    "sec_top": ("重点客户排行", "Top accounts"),
    "sec_products": ("产品结构", "Products"),
    "sec_funnel": ("销售漏斗", "Sales funnel"),
    "sec_lifecycle": ("客户生命周期", "Account lifecycle"),
    "sec_risk": ("风险预警", "Accounts at risk"),
    "sec_parameters": ("口径参数", "Parameters"),
    # KPI names
    "kpi_key_account_count": ("大客户数", "Key accounts"),
    "kpi_key_account_count_sub": ("VIP {vip} · 重点 {key}", "VIP {vip} · key {key}"),
    "kpi_window_revenue_cny": ("统计期收入", "Revenue in window"),
    "kpi_key_account_revenue_share": ("大客户收入占比", "Key accounts' revenue share"),
    "kpi_key_account_margin_share": ("大客户毛利占比", "Key accounts' gross-profit share"),
    "kpi_avg_revenue_per_key_account": ("大客户平均收入", "Revenue per key account"),
    "kpi_aov_cny": ("客单价(每单)", "Average order value"),
    "kpi_last_month_revenue_cny": ("{month} 收入", "Revenue {month}"),
    "kpi_last_month_sub": ("环比 {mom} · 同比 {yoy}", "MoM {mom} · YoY {yoy}"),
    "kpi_at_risk_count": ("风险客户(高/中)", "Accounts at risk (high/medium)"),
    "kpi_at_risk_sub": (
        "高 {high} · 中 {medium} · 其中大客户 {key}",
        "high {high} · medium {medium} · key accounts {key}",
    ),
    "kpi_win_rate": ("线索成交率", "Lead-to-won rate"),
    "kpi_collection_rate": ("回款率(近12个月)", "Collection rate (last 12 months)"),
    "kpi_satisfaction_avg": ("满意度均值(近12个月)", "Average satisfaction (last 12 months)"),
    "kpi_gross_margin_pct": ("毛利率", "Gross margin"),
    # changes
    "no_previous": (
        "没有上周的快照:这是第一份周报(或上周未生成),本周不比较变化。",
        "No previous week: there is no earlier snapshot, so nothing is compared this week.",
    ),
    "previous_from": (
        "对比基准:{week} 的快照(数据截止 {as_of})。",
        "Compared with the snapshot of {week} (marts as of {as_of}).",
    ),
    "previous_not_adjacent": (
        "上一份快照来自 {week},不是紧邻的上一周。",
        "The latest earlier snapshot is from {week}, not from the week just before.",
    ),
    "chg_new_key_accounts": ("新晋大客户", "New key accounts"),
    "chg_dropped_key_accounts": ("退出大客户", "No longer key accounts"),
    "chg_tier_moves": ("层级变动", "Tier moves"),
    "chg_newly_at_risk": ("新增风险客户", "Newly at risk"),
    "chg_recovered": ("风险解除", "Recovered"),
    "chg_none": ("无", "none"),
    "chg_more": ("… 另有 {n} 个", "… and {n} more"),
    # table headers
    "col_rank": ("排名", "Rank"),
    "col_account": ("客户", "Account"),
    "col_region": ("区域", "Region"),
    "col_tier": ("层级", "Tier"),
    "col_abc": ("ABC", "ABC"),
    "col_revenue": ("收入(元)", "Revenue (CNY)"),
    "col_gross_profit": ("毛利(元)", "Gross profit (CNY)"),
    "col_share": ("占比", "Share"),
    "col_margin_pct": ("毛利率", "Margin"),
    "col_risk_level": ("风险等级", "Risk level"),
    "col_risk_score": ("风险分", "Score"),
    "col_reasons": ("原因", "Reasons"),
    "col_owner": ("跟进人", "Owner rep"),
    "col_team": ("团队", "Team"),
    "col_key": ("大客户", "Key account"),
    "col_from": ("原", "From"),
    "col_to": ("现", "To"),
    "col_month": ("月份", "Month"),
    "col_mom": ("环比", "MoM"),
    "col_yoy": ("同比", "YoY"),
    "col_key_share": ("大客户占比", "Key-account share"),
    "col_orders": ("订单数", "Orders"),
    "col_parameter": ("参数", "Parameter"),
    "col_kpi": ("指标", "KPI"),
    "col_value": ("取值", "Value"),
    "col_description": ("说明", "Description"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "incomplete_month": ("(截至 {as_of},不完整)", " (to {as_of}, incomplete)"),
    "top_by_revenue": ("收入前 {n} 名客户", "Top {n} accounts by revenue"),
    "top_by_profit": ("毛利前 {n} 名客户", "Top {n} accounts by gross profit"),
    "monthly_table": ("月度收入", "Monthly revenue"),
    "quarterly_table": ("季度收入", "Quarterly revenue"),
    "col_quarter": ("季度", "Quarter"),
    "col_qoq": ("环比", "QoQ"),
    "partial_quarter": ("(不完整)", "(partial)"),
    "quarter_note": (
        "季度为月度集市的合计;不完整季度(数据未覆盖整季或截至日仍在季内)的增长率不可直接比较。",
        "Quarters are sums of the monthly mart; growth of a partial quarter (not fully covered "
        "by the data, or still running at the as-of date) is not like-for-like.",
    ),
    "risk_table_note": (
        "风险等级为高或中的客户,按风险分、统计期收入排序;原因来自风险预警信号。",
        "Accounts with a high or medium risk level, by risk score and window revenue; reasons "
        "are the fired early-warning signals.",
    ),
    # charts
    "ch_revenue_trend": ("月度收入及同比", "Monthly revenue and year-on-year"),
    "ch_revenue_this_year": ("本期", "This period"),
    "ch_revenue_prev_year": ("上年同期", "Same month last year"),
    "ch_yoy": ("同比", "YoY"),
    "ch_incomplete": ("截至 {as_of} 的不完整月", "incomplete month, to {as_of}"),
    "ch_region": ("各区域大客户数与收入", "Key accounts and revenue by region"),
    "ch_region_count": ("大客户数(家)", "Key accounts (count)"),
    "ch_region_revenue": ("统计期收入", "Revenue in window"),
    "ch_key_share": ("大客户贡献", "Key accounts' contribution"),
    "ch_key": ("大客户", "Key accounts"),
    "ch_other": ("其他客户", "Other accounts"),
    "ch_revenue": ("收入", "Revenue"),
    "ch_gross_profit": ("毛利", "Gross profit"),
    "ch_key_share_monthly": ("大客户收入占比(按月)", "Key accounts' revenue share by month"),
    "ch_tier_abc": ("价值层级与 ABC 分类", "Value tiers and ABC classes"),
    "ch_tiers": ("价值层级", "Value tiers"),
    "ch_tier_abc_labels": ("(标签:客户数 · 收入占比)", " (labels: accounts · revenue share)"),
    "ch_accounts": ("客户数", "Accounts"),
    "ch_revenue_share": ("收入占比", "Revenue share"),
    "ch_rfm": ("RFM 客户分布", "RFM segment map"),
    "ch_rfm_heat": (
        "R×F 矩阵:颜色=统计期收入,数字=客户数",
        "R × F: colour = revenue, number = accounts",
    ),
    "ch_r_score": ("R 分(最近购买,5=最近)", "R score (recency, 5 = most recent)"),
    "ch_f_score": ("F 分(购买频次,5=最高)", "F score (frequency, 5 = most)"),
    "ch_segments": ("RFM 分群客户数", "Accounts per RFM segment"),
    "ch_top_revenue": ("收入前 {n} 名客户", "Top {n} accounts by revenue"),
    "ch_top_profit": ("毛利前 {n} 名客户", "Top {n} accounts by gross profit"),
    "ch_product": ("产品类别:收入占比与销量占比", "Product categories: revenue vs volume share"),
    "ch_volume_share": ("销量占比", "Volume share"),
    "ch_funnel": (
        "商机漏斗(统计期内新建商机)",
        "Opportunity funnel (opportunities created in the window)",
    ),
    "ch_opportunities": ("商机数", "Opportunities"),
    "ch_to_next": ("→ 下一阶段 {rate}", "→ next stage {rate}"),
    "ch_lifecycle": ("客户生命周期", "Account lifecycle"),
    "ch_lifecycle_now": ("各阶段客户数", "Accounts per stage"),
    "ch_lifecycle_flow": ("与上周相比的阶段流转", "Stage moves since last week"),
    "ch_lifecycle_no_prev": ("无上周快照,\n暂无流转数据", "No previous week:\nno flow yet"),
    "ch_lifecycle_from": ("上周阶段", "Last week"),
    "ch_lifecycle_to": ("本周阶段", "This week"),
    "ch_risk": ("风险客户及原因", "Accounts at risk by reason"),
    "ch_risk_accounts": ("触发该信号的风险客户数", "Accounts at risk with the signal"),
    "ch_risk_high": ("高风险", "High risk"),
    "ch_risk_medium": ("中风险", "Medium risk"),
    "ch_risk_total": ("{n}(大客户 {key})", "{n} ({key} key accounts)"),
    "ch_month_axis": ("月份", "Month"),
    # analytics: clusters, forecast, backtests
    "sec_clusters": ("客户聚类", "Account clusters"),
    "sec_forecast": ("收入预测", "Revenue forecast"),
    "sec_backtests": ("模型与风险预警回测", "Model and risk backtests"),
    "not_available": (
        "暂无数据:{table} 为空(分析阶段未运行或无结果)。",
        "Not available: {table} is empty (the analytics stage has not run or found nothing).",
    ),
    "ch_cluster_profiles": (
        "客户聚类画像(各特征的标准分)",
        "Cluster profiles (z-score of each feature)",
    ),
    "ch_cluster_projection": (
        "客户聚类二维投影(主成分)",
        "Account clusters: 2-D projection (principal components)",
    ),
    "ch_cluster_label": ("{id} · {name}({n} 家)", "{id} · {name} (n={n})"),
    "ch_cluster_z": ("标准分", "z-score"),
    "ch_revenue_forecast": (
        "各区域月度收入预测及预测区间({unit})",
        "Monthly revenue forecast by region with prediction interval ({unit})",
    ),
    "ch_forecast_actual": ("实际", "Actual"),
    "ch_forecast_point": ("预测", "Forecast"),
    "ch_forecast_interval": ("预测区间", "Prediction interval"),
    "cluster_table": ("聚类一览", "Clusters"),
    "cluster_note": (
        "k-means 聚类,k = {k}(轮廓系数 {silhouette});画像为区别于整体的特征。",
        "k-means clusters, k = {k} (silhouette {silhouette}); the profile lists the features "
        "that set each cluster apart.",
    ),
    "col_cluster": ("聚类", "Cluster"),
    "col_cluster_name": ("名称", "Name"),
    "col_accounts": ("客户数", "Accounts"),
    "col_profile": ("画像", "Profile"),
    "forecast_table": ("未来 3 个月收入预测(全公司及各区域)", "Next months' revenue forecast"),
    "forecast_note": (
        "每个区域的预测方法(ETS、上月值、去年同月值)取回测误差最小者;"
        "区间为 {level} 预测区间,取自该方法的回测误差。",
        "Each region's method (ETS, last month, same month last year) is the one with the "
        "lowest backtest error; the band is the {level} prediction interval from that "
        "method's backtest errors.",
    ),
    "col_method": ("方法", "Method"),
    "col_forecast": ("预测收入(元)", "Forecast (CNY)"),
    "col_lower": ("下限(元)", "Lower (CNY)"),
    "col_upper": ("上限(元)", "Upper (CNY)"),
    "risk_backtest_table": ("风险预警回测", "Risk warning backtest"),
    "risk_backtest_headline": (
        "{date} 的高风险客户 {n} 家中,{rate} 在之后 {days} 天内没有再下单;"
        "全部客户的基准流失率 {base},未预警客户 {reference}(提升 {lift} 倍)。",
        "Of the {n} high-risk accounts at {date}, {rate} stopped buying in the next {days} "
        "days; base rate {base}, unflagged accounts {reference} (lift {lift}x).",
    ),
    "risk_backtest_note": (
        "流失 = 观察期内无已完成订单;精确率 = 该等级客户的流失率;基准 = 全部评估客户的流失率;"
        "已流失客户在挽回名单,不计入。",
        "Churned = no completed order in the horizon; precision = churn rate of the level; "
        "base = churn rate of all evaluated accounts; lost accounts are on the win-back list, "
        "not evaluated.",
    ),
    "col_snapshot": ("评估时点", "Evaluated at"),
    "snapshot_pooled": ("12 个月末合并", "All month-ends pooled"),
    "col_horizon": ("观察期(天)", "Horizon (days)"),
    "col_level": ("等级", "Level"),
    "col_flagged": ("预警客户", "Flagged"),
    "col_flagged_share": ("预警占比", "Flagged share"),
    "col_precision": ("精确率(流失率)", "Precision (churn rate)"),
    "col_base_rate": ("基准流失率", "Base rate"),
    "col_unflagged_rate": ("未预警流失率", "Unflagged rate"),
    "col_recall": ("召回率", "Recall"),
    "col_lift_base": ("提升(对基准)", "Lift vs base"),
    "col_lift_unflagged": ("提升(对未预警)", "Lift vs unflagged"),
    "col_auc_score": ("AUC 风险分", "AUC score"),
    "col_auc_recency": ("AUC 未购天数", "AUC recency"),
    "level_high_or_medium": ("高 + 中", "high + medium"),
    "model_backtest_table": (
        "预测与 CLV 模型回测(对比朴素基线)",
        "Forecast and CLV backtests vs naive baselines",
    ),
    "model_backtest_note": (
        "在较早的截止日重新拟合模型,并用之后的实际结果评分;"
        "改进 = 1 − 模型误差 / 基线误差(AUC 为差值),> 0 表示模型更好。",
        "Each model is refitted at an earlier cutoff and scored on what happened after it; "
        "improvement = 1 − model error / baseline error (difference for AUC), > 0 = the "
        "model wins.",
    ),
    "col_model": ("模型", "Model"),
    "col_metric": ("指标", "Metric"),
    "col_baseline": ("基线", "Baseline"),
    "col_model_value": ("模型", "Model value"),
    "col_baseline_value": ("基线值", "Baseline value"),
    "col_improvement": ("改进", "Improvement"),
    "col_beats": ("优于基线", "Beats baseline"),
    "col_n": ("样本数", "n"),
    "col_cutoff": ("截止日", "Cutoff"),
    "win_back_count": (
        "另有 {n} 个已流失客户(超过 {days} 天未下单)列入挽回名单,不计入风险预警。",
        "{n} lost accounts (no order for {days}+ days) are on the win-back list, not in the "
        "warning.",
    ),
    "review_cross_sell_note": (
        "大客户评审表(key_account_review.xlsx)的建议行动包含交叉销售建议产品线。",
        "The review workbook (key_account_review.xlsx) carries the cross-sell product line in "
        "its recommended action.",
    ),
}

# mart_model_backtests.metric_name -> label with its unit
_METRICS = {
    "mae_cny": ("平均绝对误差(元)", "MAE (CNY)"),
    "mae_orders": ("平均绝对误差(订单数)", "MAE (orders)"),
    "mape": ("平均绝对百分比误差(%)", "MAPE (%)"),
    "total_abs_pct_error": ("合计误差率(%)", "Error of the total (%)"),
    "auc": ("AUC(0–1)", "AUC (0–1)"),
    "interval_coverage": ("区间覆盖率(%)", "Interval coverage (%)"),
}
# mart_revenue_forecast.method: the chosen method before its explanation
_FORECAST_METHODS = {
    "last month": "上月值",
    "same month last year": "去年同月值",
    "naive (all zero)": "朴素(全为零)",
    "naive (too short)": "朴素(历史过短)",
}

_RISK_LEVELS = {
    "high": ("高", "high"),
    "medium": ("中", "medium"),
    "low": ("低", "low"),
    "none": ("无", "none"),
}


@dataclass(frozen=True)
class Lang:
    """Texts and number formats for one language."""

    code: str

    def __post_init__(self) -> None:
        if self.code not in LANGUAGES:
            raise ValueError(f"unsupported language {self.code!r}: use one of {LANGUAGES}")

    @property
    def zh(self) -> bool:
        return self.code == "zh"

    def t(self, name: str, /, **values: object) -> str:
        zh, en = _TEXTS[name]
        text = zh if self.zh else en
        return text.format(**values) if values else text

    def risk_backtest_headline(self, high) -> str:
        """The sentence of the high-risk level's last-quarter backtest (a mart_risk_backtest
        row): the HTML report and summary.md print the same one."""
        return self.t(
            "risk_backtest_headline",
            n=self.count(high["flagged_account_count"]),
            date=high["snapshot_date"],
            rate=self.pct(high["churn_rate_flagged"]),
            days=high["horizon_days"],
            base=self.pct(high["base_churn_rate"]),
            reference=self.pct(high["churn_rate_reference"]),
            lift=self.decimal(high["lift_vs_base"]),
        )

    def pick(self, row, column: str) -> str:
        """`<column>_zh` or `<column>_en` of a mart row (falls back to the other language)."""
        first, second = (f"{column}_zh", f"{column}_en")[:: 1 if self.zh else -1]
        value = row.get(first)
        if _missing(value):
            value = row.get(second)
        return "" if _missing(value) else str(value)

    def metric(self, code: str) -> str:
        """A backtest metric's name with its unit (the code itself when unknown)."""
        zh, en = _METRICS.get(code, (code, code))
        return zh if self.zh else en

    def forecast_method(self, method: str) -> str:
        """The chosen method of a mart_revenue_forecast row, without its explanation."""
        label = method.split(":")[0].split(";")[0].strip()
        return _FORECAST_METHODS.get(label, label) if self.zh else label

    def risk_level(self, code: str) -> str:
        zh, en = _RISK_LEVELS.get(code, (code, code))
        return zh if self.zh else en

    # ---- units ----------------------------------------------------------------------
    @property
    def money_unit(self) -> str:
        """Unit of money axes in charts: 万元 (10k CNY) in Chinese, CNY millions in English."""
        return "万元" if self.zh else "CNY m"

    @property
    def money_divisor(self) -> float:
        return 1e4 if self.zh else 1e6

    def money_axis(self, value: float) -> str:
        """An axis tick in the money unit: 1,500 / 2.5 / 0 (no trailing zeros)."""
        text = f"{value / self.money_divisor:,.1f}"
        return text[:-2] if text.endswith(".0") else text

    # ---- numbers ----------------------------------------------------------------------
    def money(self, value: float | None) -> str:
        """A headline amount: 1,234.5万元 / CNY 12.35 m."""
        if _missing(value):
            return "–"
        if self.zh:
            return f"{value / 1e4:,.1f}万元"
        return f"CNY {value / 1e6:,.2f} m"

    @staticmethod
    def amount(value: float | None) -> str:
        """A table amount in CNY with thousands separators, no decimals."""
        return "–" if _missing(value) else f"{value:,.0f}"

    @staticmethod
    def pct(value: float | None, digits: int = 1, signed: bool = False) -> str:
        if _missing(value):
            return "–"
        return f"{value * 100:+.{digits}f}%" if signed else f"{value * 100:.{digits}f}%"

    @staticmethod
    def count(value: float | None) -> str:
        return "–" if _missing(value) else f"{int(value):,}"

    @staticmethod
    def decimal(value: float | None, digits: int = 2) -> str:
        return "–" if _missing(value) else f"{value:,.{digits}f}"

    def yes_no(self, value: object) -> str:
        return "–" if _missing(value) else self.t("yes") if bool(value) else self.t("no")

    def backtest_value(self, metric: str, value: float | None) -> str:
        """A value of mart_model_backtests in its metric's unit (CNY, share, or a score)."""
        if metric.endswith("_cny"):
            return self.amount(value)
        if metric in PCT_METRICS:
            return self.pct(value)
        return self.decimal(value, 3)

    def improvement(self, metric: str, value: float | None) -> str:
        """relative_improvement: 1 - model / baseline as a signed share, or a difference of
        AUC."""
        return self.decimal(value, 3) if metric == "auc" else self.pct(value, signed=True)

    def month(self, month_start: date) -> str:
        return (
            f"{month_start.year}年{month_start.month}月"
            if self.zh
            else month_start.strftime("%b %Y")
        )

    def short_month(self, month_start: date) -> str:
        return f"{month_start.year % 100:02d}/{month_start.month:02d}"


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return math.isnan(value)  # type: ignore[arg-type]
    except TypeError:
        return False
