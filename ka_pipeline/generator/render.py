"""Turn one day of numeric event columns into the text values of the contract's columns."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ka_pipeline.generator.calendar import cents_text, int_text
from ka_pipeline.generator.reference import (
    ACTIVITY_TYPES,
    CHANNELS,
    COMPLAINT_CATEGORIES,
    COMPLAINT_TEXTS,
    CONTACT_ROLES,
    INDUSTRIES,
    LOST_REASONS,
    ORDER_STATUSES,
    PROVINCES,
    SEVERITIES,
    STAGES,
    SURVEY_COMMENTS,
    TICKET_CHANNELS,
    TICKET_SEVERITIES,
)
from ka_pipeline.generator.world import World, contact_email, person_name

Columns = dict[str, np.ndarray]
Values = dict[str, list]  # contract column -> one value per row


def _obj(values) -> np.ndarray:
    return np.array(list(values), dtype=object)


def _padded(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    return np.array([f"{prefix}{x:0{width}d}" for x in numbers.tolist()], dtype=object)


class Renderer:
    def __init__(self, world: World) -> None:
        self.w = world
        acc, reps, p = world.accounts, world.reps, world.products
        self.cal = world.cal
        self.account_id = _obj(acc.ids)
        self.account_name = _obj(acc.names)
        self.industry = _obj(INDUSTRIES[i][1] for i in acc.industry.tolist())
        self.province = _obj(PROVINCES[i][1] for i in acc.province.tolist())
        self.city = _obj(acc.city)
        self.founded = _obj(int_text(acc.founded_year))
        self.created_at = self.cal.timestamps(acc.created_day, acc.created_sec)
        self.rep_id = _obj(reps.ids)
        self.product_id = _obj(p.ids)
        self.opp_name = _obj(acc.brand)
        self.product_line = _obj(p.lines)
        self.discount = _obj(f"{d / 100:.2f}" for d in range(101))
        self.enums = {
            name: _obj(values)
            for name, values in (
                ("status", ORDER_STATUSES),
                ("channel", CHANNELS),
                ("stage", STAGES),
                ("activity", ACTIVITY_TYPES),
                ("role", CONTACT_ROLES),
                ("category", COMPLAINT_CATEGORIES),
                ("severity", SEVERITIES),
                ("ticket_severity", TICKET_SEVERITIES),
                ("ticket_channel", TICKET_CHANNELS),
            )
        }
        self.lost_reason = _obj([*LOST_REASONS, ""])  # index -1 -> ""
        self.by_entity: dict[str, Callable[[Columns], Values]] = {
            "accounts": self.accounts,
            "contacts": self.contacts,
            "opportunities": self.opportunities,
            "activities": self.activities,
            "orders": self.orders,
            "order_lines": self.order_lines,
            "invoices": self.invoices,
            "payments": self.payments,
            "surveys": self.surveys,
            "complaints": self.complaints,
            "tickets": self.tickets,
        }

    def ts(self, day: np.ndarray, sec: np.ndarray) -> list:
        return self.cal.timestamps(day, sec).tolist()

    def abs_ts(self, seconds: np.ndarray) -> list:
        day, sec = np.divmod(seconds, 86400)
        return self.ts(day, sec)

    def _ids(self, prefix: str, day: int, seq: np.ndarray) -> list:
        ymd = self.cal.ymd1(day)
        return [f"{prefix}{ymd}-{s:06d}" for s in seq.tolist()]

    # ---------------------------------------------------------------------------- CRM
    def accounts(self, c: Columns) -> Values:
        a = c["acc"]
        return {
            "account_id": self.account_id[a].tolist(),
            "account_name": self.account_name[a].tolist(),
            "industry": self.industry[a].tolist(),
            "province": self.province[a].tolist(),
            "city": self.city[a].tolist(),
            "employee_count": int_text(c["emp"]),
            "annual_revenue_cny": cents_text(c["rev"] * 100),
            "founded_year": self.founded[a].tolist(),
            "owner_rep_id": self.rep_id[c["owner"]].tolist(),
            "created_at": self.created_at[a].tolist(),
            "updated_at": self.ts(c["day"], c["sec"]),
        }

    def contacts(self, c: Columns) -> Values:
        names, emails = [], []
        rows = zip(
            c["surname"].tolist(),
            c["given1"].tolist(),
            c["given2"].tolist(),
            c["acc"].tolist(),
            c["email_variant"].tolist(),
            strict=True,
        )
        for s, g1, g2, a, var in rows:
            names.append(person_name(s, g1, g2))
            emails.append(contact_email(self.w, s, g1, g2, a, var))
        return {
            "contact_id": _padded("C", c["contact"] + 1, 7).tolist(),
            "account_id": self.account_id[c["acc"]].tolist(),
            "contact_name": names,
            "role": self.enums["role"][c["role"]].tolist(),
            "phone": int_text(c["phone"]),
            "email": emails,
            "updated_at": self.ts(c["day"], c["sec"]),
        }

    def opportunities(self, c: Columns) -> Values:
        name = self.opp_name[c["acc"]] + self.product_line[c["product"]] + "采购项目"
        return {
            "opportunity_id": _padded("OP", c["num"], 6).tolist(),
            "account_id": self.account_id[c["acc"]].tolist(),
            "rep_id": self.rep_id[c["rep"]].tolist(),
            "opportunity_name": name.tolist(),
            "stage": self.enums["stage"][c["stage"]].tolist(),
            "amount_cny": cents_text(c["amount"]),
            "expected_close_date": self.cal.iso(c["expected"]).tolist(),
            "stage_changed_at": self.ts(c["day"], c["sec"]),
            "lost_reason": self.lost_reason[c["reason"]].tolist(),
        }

    def activities(self, c: Columns) -> Values:
        return {
            "activity_id": _padded("AC", c["num"], 8).tolist(),
            "account_id": self.account_id[c["acc"]].tolist(),
            "rep_id": self.rep_id[c["rep"]].tolist(),
            "activity_type": self.enums["activity"][c["kind"]].tolist(),
            "activity_at": self.ts(c["day"], c["sec"]),
            "duration_minutes": int_text(c["minutes"]),
        }

    # ---------------------------------------------------------------------------- ERP
    def orders(self, c: Columns) -> Values:
        return {
            "order_id": c["order_id"].tolist(),
            "account_id": self.account_id[c["acc"]].tolist(),
            "rep_id": self.rep_id[c["rep"]].tolist(),
            "order_date": self.cal.iso(c["day"]).tolist(),
            "channel": self.enums["channel"][c["channel"]].tolist(),
            "status": self.enums["status"][c["status"]].tolist(),
        }

    def order_lines(self, c: Columns) -> Values:
        return {
            "order_id": c["order_id"].tolist(),
            "line_no": int_text(c["line_no"]),
            "product_id": self.product_id[c["product"]].tolist(),
            "quantity": int_text(c["qty"]),
            "unit_price_cny": cents_text(c["price"]),
            "discount_pct": self.discount[c["disc"]].tolist(),
            "unit_cost_cny": cents_text(c["cost"]),
        }

    def invoices(self, c: Columns) -> Values:
        return {
            "invoice_id": c["invoice_id"].tolist(),
            "order_id": c["order_id"].tolist(),
            "account_id": self.account_id[c["acc"]].tolist(),
            "invoice_date": self.cal.iso(c["day"]).tolist(),
            "due_date": self.cal.iso(c["due"]).tolist(),
            "invoice_amount_cny": cents_text(c["amount"]),
        }

    def payments(self, c: Columns) -> Values:
        return {
            "payment_id": c["payment_id"].tolist(),
            "invoice_id": c["invoice_id"].tolist(),
            "payment_date": self.cal.iso(c["day"]).tolist(),
            "paid_amount_cny": cents_text(c["amount"]),
        }

    # ----------------------------------------------------------------------- feedback
    def surveys(self, c: Columns) -> Values:
        day = int(c["day"][0]) if len(c["day"]) else 0
        comments = [
            SURVEY_COMMENTS[s][k] if k >= 0 else None
            for s, k in zip(c["score"].tolist(), c["comment"].tolist(), strict=True)
        ]
        return {
            "survey_id": self._ids("SV", day, c["seq"]),
            "account_id": self.account_id[c["acc"]].tolist(),
            "submitted_at": self.ts(c["day"], c["sec"]),
            "satisfaction_score": c["score"].tolist(),
            "nps_score": c["nps"].tolist(),
            "comment": comments,
        }

    def complaints(self, c: Columns) -> Values:
        day = int(c["day"][0]) if len(c["day"]) else 0
        category = c["category"].tolist()
        return {
            "complaint_id": self._ids("CP", day, c["seq"]),
            "account_id": self.account_id[c["acc"]].tolist(),
            "created_at": self.ts(c["day"], c["sec"]),
            "category": self.enums["category"][c["category"]].tolist(),
            "severity": self.enums["severity"][c["severity"]].tolist(),
            "description": [
                COMPLAINT_TEXTS[COMPLAINT_CATEGORIES[k]][t]
                for k, t in zip(category, c["text"].tolist(), strict=True)
            ],
        }

    def tickets(self, c: Columns) -> Values:
        day = int(c["day"][0]) if len(c["day"]) else 0
        return {
            "ticket_id": self._ids("TK", day, c["seq"]),
            "account_id": self.account_id[c["acc"]].tolist(),
            "opened_at": self.abs_ts(c["opened"]),
            "first_response_at": self.abs_ts(c["first_response"]),
            "resolved_at": self.abs_ts(c["resolved"]),
            "severity": self.enums["ticket_severity"][c["severity"]].tolist(),
            "channel": self.enums["ticket_channel"][c["channel"]].tolist(),
        }
