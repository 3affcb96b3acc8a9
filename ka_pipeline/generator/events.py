"""Month-by-month event generation: orders, lines, invoices, payments, CRM and feedback.

Each calendar month is drawn at once with numpy (accounts x days), which keeps memory bound
by one month of events. Events that happen later than the event that causes them (an
invoice after its order, a payment after its invoice, the next stage of an opportunity)
wait in small queues until their month comes. Rows are returned as numeric columns sorted
by day; `render.py` turns one day of them into text.
"""

from __future__ import annotations

import numpy as np

from ka_pipeline.generator.reference import INDUSTRIES, LOST_REASONS, REGIONS
from ka_pipeline.generator.world import CHURNED, World, rng_for

Columns = dict[str, np.ndarray]

# random-stream purposes (continuing world.py's numbering)
RNG_ORDERS, RNG_INVOICES, RNG_OPPS, RNG_ACTIVITIES, RNG_SURVEYS = range(10, 15)
RNG_COMPLAINTS, RNG_TICKETS = range(15, 17)

DISCOUNTS = np.array([0, 2, 3, 5, 8, 10, 12, 15])  # percent
STAGE_DAYS = np.array([13.0, 20.0, 24.0, 18.0])  # mean days in lead .. negotiation
STAGE_CONVERSION = np.array([0.70, 0.66, 0.65, 0.62])
REGION_SPEED = {"north": 0.95, "northeast": 1.15, "east": 0.82, "central": 1.0,
                "south": 0.9, "southwest": 1.1, "northwest": 1.25}  # fmt: skip
INDUSTRY_SPEED = {"manufacturing": 0.85, "services": 0.95, "retail": 0.9, "it_software": 1.0,
                  "finance": 1.2, "construction": 1.15, "energy": 1.1, "healthcare": 1.2,
                  "logistics": 0.95, "education": 1.05, "other": 1.0}  # fmt: skip
ACTIVITY_P = (0.30, 0.40, 0.20, 0.10)  # visit, call, email, event
ACTIVITY_MINUTES = ((45, 180), (5, 40), (5, 20), (120, 480))
TICKET_SEVERITY_P = (0.05, 0.20, 0.45, 0.30)
TICKET_RESOLVE_HOURS = np.array([6.0, 24.0, 72.0, 120.0])
TICKET_RESPONSE_HOURS = np.array([0.5, 2.0, 6.0, 12.0])
MAX_LINES = 12


def _concat(parts: list[Columns]) -> Columns:
    parts = [p for p in parts if p and len(next(iter(p.values())))]
    if not parts:
        return {}
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _take(cols: Columns, idx) -> Columns:
    return {k: v[idx] for k, v in cols.items()}


def _rows(cols: Columns) -> int:
    return len(next(iter(cols.values()))) if cols else 0


def _seq_in_day(day: np.ndarray) -> np.ndarray:
    """1-based position of each row within its day (rows sorted by day)."""
    if not len(day):
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.nonzero(np.diff(day))[0] + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, len(day)]))
    return np.arange(len(day)) - first + 1


def _ids(prefix: str, world: World, day: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """`PREFIXyyyymmdd-000001` ids from days and 1-based sequence numbers."""
    ymd = world.cal.ymd(day).tolist()
    ids = [f"{prefix}{y}-{s:06d}" for y, s in zip(ymd, seq.tolist(), strict=True)]
    return np.array(ids, dtype=object)


class Queue:
    """Rows waiting for a later day: popped when their month is generated."""

    def __init__(self) -> None:
        self.cols: Columns = {}

    def push(self, cols: Columns) -> None:
        self.cols = _concat([self.cols, cols])

    def pop_until(self, last: int) -> Columns:
        if not self.cols:
            return {}
        due = self.cols["day"] <= last
        out = _take(self.cols, due)
        self.cols = _take(self.cols, ~due)
        return out


class EventEngine:
    def __init__(self, world: World) -> None:
        self.w = world
        self.invoices = Queue()
        self.payments = Queue()
        self.stages = Queue()
        self.next_opportunity = 1
        self.next_activity = 1
        acc = world.accounts
        size = acc.weight**0.3 / (acc.weight**0.3).mean()
        self.opp_rate = 3.0 * size  # opportunities per year
        self.activity_rate = 14.0 * size
        self.ticket_rate = 4.0 * size
        # list prices rise ~3 % a year: price of a product `k` years before `end`
        p = world.products
        years = np.arange(12)
        factor = 0.97 ** years[None, :]
        self.price_cents = np.round(p.list_cents[:, None] * factor / 100) * 100
        self.cost_cents = np.round(p.cost_cents[:, None] * factor)
        self.price_cents = self.price_cents.astype(np.int64)
        self.cost_cents = self.cost_cents.astype(np.int64)
        self.end_year = world.cal.end.year
        self.by_price = np.argsort(p.list_cents, kind="stable")
        self.sorted_list_cents = p.list_cents[self.by_price]
        region_codes = [r[0] for r in REGIONS]
        emp = acc.emp0
        self.speed = (
            np.array([REGION_SPEED[region_codes[r]] for r in acc.region])
            * np.array([INDUSTRY_SPEED[INDUSTRIES[i][0]] for i in acc.industry])
            * np.where(emp >= 500, 0.85, np.where(emp >= 100, 1.0, 1.1))
        )
        size_rank = np.argsort(np.argsort(acc.weight)) / max(1, acc.n - 1)
        self.size_rank = size_rank

    # ----------------------------------------------------------------------------------
    def month(self, first: int, last: int, index: int) -> dict[str, Columns]:
        """All rows of the days first..last, keyed by entity name, each sorted by day."""
        out: dict[str, Columns] = {}
        out["orders"], out["order_lines"] = self._orders(first, last, index)
        out["invoices"] = self._invoices(last, index)
        out["payments"] = self._payments(last)
        out["opportunities"] = self._opportunities(first, last, index)
        out["activities"] = self._activities(first, last, index)
        out["surveys"] = self._surveys(first, last, index)
        out["complaints"] = self._complaints(first, last, index)
        out["tickets"] = self._tickets(first, last, index)
        out["accounts"] = self._accounts(first, last)
        out["contacts"] = self._contacts(first, last)
        return out

    def _draw(self, rng, rate_per_year: np.ndarray, days: np.ndarray, daily: np.ndarray):
        """Poisson counts per (day, account) -> (day, account) pairs sorted by day."""
        lam = (rate_per_year / 365.0)[None, :] * daily
        counts = rng.poisson(lam)
        di, ai = np.nonzero(counts)
        k = counts[di, ai]
        return np.repeat(days[di], k), np.repeat(ai, k)

    # ---------------------------------------------------------------------------- orders
    def _orders(self, first: int, last: int, index: int) -> tuple[Columns, Columns]:
        w, acc = self.w, self.w.accounts
        rng = rng_for(w.seed, RNG_ORDERS, index)
        days = np.arange(first, last + 1)
        a = np.arange(acc.n)
        mult = acc.path_multiplier(a[None, :], days[:, None])  # days x accounts
        noise = rng.lognormal(-0.01, 0.15, acc.n)
        daily = mult * w.cal.order_factor[days][:, None]
        day, ai = self._draw(rng, acc.order_rate * noise, days, daily)
        won = np.nonzero((acc.first_order_day >= first) & (acc.first_order_day <= last))[0]
        welcome = np.zeros(len(day) + len(won), dtype=bool)
        welcome[len(day) :] = True
        if len(won):
            day = np.concatenate([day, acc.first_order_day[won]])
            ai = np.concatenate([ai, won])
            order = np.lexsort((ai, day))
            day, ai, welcome = day[order], ai[order], welcome[order]
        n = len(day)
        seq = _seq_in_day(day)
        order_id = _ids("O", w, day, seq)
        rep = acc.owner_at(ai, day)
        channel = np.where(rng.random(n) < 0.85, acc.channel[ai], rng.integers(0, 3, n))
        pressure = acc.churn_pressure(ai, day)
        u = rng.random(n)
        cancel_p = 0.05 + 0.03 * pressure
        return_p = 0.03 + 0.03 * pressure
        status = np.where(u < cancel_p, 1, np.where(u < cancel_p + return_p, 2, 0))
        status[welcome] = 0  # a new account's first order goes through
        n_lines = 1 + np.minimum(rng.poisson(1.4, n), MAX_LINES - 1)
        value = acc.order_value[ai] * rng.lognormal(-0.1, 0.45, n)
        disc_idx = np.clip(rng.poisson(0.8 + 2.5 * self.size_rank[ai] + (channel == 1) * 1.0), 0, 7)
        orders = {
            "day": day,
            "order_id": order_id,
            "acc": ai,
            "rep": rep,
            "channel": channel,
            "status": status,
        }

        # lines
        o = np.repeat(np.arange(n), n_lines)
        m = len(o)
        starts = np.r_[0, np.cumsum(n_lines)[:-1]]
        line_no = np.arange(m) - np.repeat(starts, n_lines) + 1
        pick = rng.random(m)
        pref = acc.pref_cat[ai[o]]
        cat = np.where(
            pick < 0.5, pref[:, 0], np.where(pick < 0.8, pref[:, 1], rng.integers(0, 6, m))
        )
        p = w.products
        product = p.cat_start[cat] + (rng.random(m) * p.cat_count[cat]).astype(np.int64)
        lday = day[o]
        year_of_day = np.array([w.cal.date(d).year for d in range(first, last + 1)])
        years_back = np.clip(self.end_year - year_of_day[lday - first], 0, 11)
        target = value[o] / n_lines[o] * rng.lognormal(0, 0.35, m) * 100  # cents per line
        # accounts buy what fits their order size: re-pick lines far above the line budget
        for _ in range(3):
            list_cents = p.list_cents[product]
            bad = np.nonzero((list_cents > 2.5 * target) | (list_cents * 300 < target))[0]
            if not len(bad):
                break
            alt = np.where(rng.random(len(bad)) < 0.5, cat[bad], rng.integers(0, 6, len(bad)))
            product[bad] = p.cat_start[alt] + (rng.random(len(bad)) * p.cat_count[alt]).astype(
                np.int64
            )
        bad = np.nonzero(p.list_cents[product] > 2.5 * target)[0]
        if len(bad):
            fits = np.searchsorted(self.sorted_list_cents, 2.5 * target[bad], side="right")
            pick = (rng.random(len(bad)) * np.maximum(fits, 1)).astype(np.int64)
            product[bad] = self.by_price[pick]
        product = np.where(p.launch_day[product] > lday, p.fallback[product], product)
        price = self.price_cents[product, years_back]
        cost = self.cost_cents[product, years_back]
        qty = np.clip(np.round(target / price), 1, 5000).astype(np.int64)
        disc = DISCOUNTS[disc_idx[o]]
        net = np.round(qty * price * (100 - disc) / 100).astype(np.int64)
        lines = {
            "day": lday,
            "order_id": order_id[o],
            "line_no": line_no,
            "product": product,
            "qty": qty,
            "price": price,
            "disc": disc,
            "cost": cost,
        }

        # invoices for completed orders, 0-5 days after the order
        total = np.bincount(o, weights=net, minlength=n).astype(np.int64)
        done = status == 0
        delay = rng.choice(6, size=n, p=(0.3, 0.25, 0.15, 0.12, 0.1, 0.08))
        self.invoices.push(
            {
                "day": (day + delay)[done],
                "order_day": day[done],
                "order_seq": seq[done],
                "order_id": order_id[done],
                "acc": ai[done],
                "amount": total[done],
            }
        )
        return orders, lines

    def _invoices(self, last: int, index: int) -> Columns:
        w, acc = self.w, self.w.accounts
        inv = self.invoices.pop_until(last)
        if not inv:
            return {}
        rng = rng_for(w.seed, RNG_INVOICES, index)
        order = np.lexsort((inv["order_seq"], inv["order_day"], inv["day"]))
        inv = _take(inv, order)
        n = _rows(inv)
        inv["seq"] = _seq_in_day(inv["day"])
        inv["invoice_id"] = _ids("INV", w, inv["day"], inv["seq"])
        a = inv["acc"]
        inv["due"] = inv["day"] + acc.terms[a]

        # payment plan: on time (around due), late (30-120 days after due), partial, split
        late = acc.late_payer[a]
        pay_day = np.where(
            late,
            inv["due"] + rng.integers(30, 121, n),
            inv["due"] + np.round(rng.normal(-3, 8, n)).astype(np.int64),
        )
        pay_day = np.maximum(pay_day, inv["day"] + 3)
        near_churn = (acc.path[a] == CHURNED) & (pay_day >= acc.path_day[a] - 60)
        partial_p = np.where(near_churn, 0.5, np.where(late, 0.2, 0.03))
        partial = rng.random(n) < partial_p
        # a partial payer pays 30-90 % of the invoice, or (one in four) nothing at all
        share = np.where(rng.random(n) < 0.25, 0.0, rng.uniform(0.3, 0.9, n))
        paid = np.where(partial, np.round(inv["amount"] * share), inv["amount"]).astype(np.int64)
        split = ~partial & (rng.random(n) < 0.1)
        first_part = np.round(paid * rng.uniform(0.3, 0.7, n)).astype(np.int64)
        first_day = np.maximum(pay_day - rng.integers(10, 41, n), inv["day"] + 1)
        base = {"inv_day": inv["day"], "inv_seq": inv["seq"], "invoice_id": inv["invoice_id"]}
        self.payments.push(
            {
                "day": np.where(split, first_day, pay_day),
                **base,
                "part": np.zeros(n, dtype=np.int64),
                "amount": np.where(split, first_part, paid),
            }
        )
        self.payments.push(
            {
                "day": pay_day[split],
                **{k: v[split] for k, v in base.items()},
                "part": np.ones(split.sum(), dtype=np.int64),
                "amount": (paid - first_part)[split],
            }
        )
        return inv

    def _payments(self, last: int) -> Columns:
        pay = self.payments.pop_until(last)
        if not pay:
            return {}
        pay = _take(pay, pay["amount"] > 0)
        order = np.lexsort((pay["part"], pay["inv_seq"], pay["inv_day"], pay["day"]))
        pay = _take(pay, order)
        pay["payment_id"] = _ids("PAY", self.w, pay["day"], _seq_in_day(pay["day"]))
        return pay

    # --------------------------------------------------------------------- opportunities
    def _opportunities(self, first: int, last: int, index: int) -> Columns:
        w, acc = self.w, self.w.accounts
        rng = rng_for(w.seed, RNG_OPPS, index)
        days = np.arange(first, last + 1)
        a = np.arange(acc.n)
        # no new leads in the two months before an account churns
        alive = acc.alive(a[None, :], days[:, None] + 60) * acc.alive(a[None, :], days[:, None])
        day0, ai = self._draw(
            rng, self.opp_rate, days, alive * w.cal.business_factor[days][:, None]
        )
        n = len(day0)
        if n:
            num = np.arange(self.next_opportunity, self.next_opportunity + n)
            self.next_opportunity += n
            pressure = acc.churn_pressure(ai, day0)
            conv = STAGE_CONVERSION[None, :] * (1 - 0.35 * pressure)[:, None]
            passed = np.cumprod(rng.random((n, 4)) < conv, axis=1).astype(bool)
            reached = passed.sum(axis=1)  # stages passed: 4 = won
            mean = STAGE_DAYS[None, :] * self.speed[ai][:, None]
            dur = np.maximum(1, np.round(rng.gamma(2.5, mean / 2.5))).astype(np.int64)
            lost_dur = np.maximum(1, np.round(rng.gamma(2.0, 0.8 * mean / 2.0))).astype(np.int64)
            cum = np.cumsum(dur, axis=1)
            amount = np.round(acc.order_value[ai] * rng.uniform(3, 12, n) / 1000) * 1000 * 100
            final_amount = np.round(amount * rng.uniform(0.85, 1.0, n) / 100000) * 100000
            expected = day0 + np.round(STAGE_DAYS.sum() * self.speed[ai]).astype(np.int64)
            pref = acc.pref_cat[ai, 0]
            p = w.products
            line_idx = p.cat_start[pref] + (rng.random(n) * p.cat_count[pref]).astype(int)
            reason = rng.integers(0, len(LOST_REASONS), n)
            rep = acc.owner_at(ai, day0)
            rows = []
            for stage in range(6):  # lead, needs_confirmed, proposal, negotiation, won, lost
                if stage == 0:
                    sel, d = np.ones(n, bool), day0
                elif stage <= 3:
                    sel, d = reached >= stage, day0 + cum[:, stage - 1]
                elif stage == 4:
                    sel, d = reached == 4, day0 + cum[:, 3]
                else:
                    at = np.minimum(reached, 3)
                    prev = np.where(at > 0, cum[np.arange(n), np.maximum(at - 1, 0)], 0)
                    sel = reached < 4
                    d = day0 + prev + lost_dur[np.arange(n), at]
                rows.append(
                    {
                        "day": d[sel],
                        "sec": rng.integers(9 * 3600, 19 * 3600, n)[sel],
                        "num": num[sel],
                        "acc": ai[sel],
                        "rep": rep[sel],
                        "stage": np.full(sel.sum(), stage),
                        "amount": (final_amount if stage >= 3 else amount)[sel].astype(np.int64),
                        "expected": expected[sel],
                        "product": line_idx[sel],
                        "reason": np.where(stage == 5, reason, -1)[sel],
                    }
                )
            self.stages.push(_concat(rows))
        out = self.stages.pop_until(last)
        if out:
            out = _take(out, np.lexsort((out["stage"], out["num"], out["day"])))
        return out

    # ------------------------------------------------------------------ CRM and feedback
    def _activities(self, first: int, last: int, index: int) -> Columns:
        w, acc = self.w, self.w.accounts
        rng = rng_for(w.seed, RNG_ACTIVITIES, index)
        days = np.arange(first, last + 1)
        a = np.arange(acc.n)
        alive = acc.alive(a[None, :], days[:, None])
        created = days[:, None] > acc.created_day[None, :]
        level = np.where(alive > 0, 1.0, np.where(created, 0.1, 0.0))  # win-back calls
        day, ai = self._draw(
            rng, self.activity_rate, days, level * w.cal.business_factor[days][:, None]
        )
        n = len(day)
        kind = rng.choice(4, size=n, p=ACTIVITY_P)
        lo = np.array([m[0] for m in ACTIVITY_MINUTES])[kind]
        hi = np.array([m[1] for m in ACTIVITY_MINUTES])[kind]
        minutes = lo + (rng.random(n) * (hi - lo)).astype(np.int64)
        num = np.arange(self.next_activity, self.next_activity + n)
        self.next_activity += n
        return {
            "day": day,
            "sec": rng.integers(int(8.5 * 3600), 19 * 3600, n),
            "num": num,
            "acc": ai,
            "rep": acc.owner_at(ai, day),
            "kind": kind,
            "minutes": minutes,
        }

    def _surveys(self, first: int, last: int, index: int) -> Columns:
        w, acc = self.w, self.w.accounts
        rng = rng_for(w.seed, RNG_SURVEYS, index)
        days = np.arange(first, last + 1)
        a = np.arange(acc.n)
        daily = acc.alive(a[None, :], days[:, None]) * w.cal.business_factor[days][:, None]
        day, ai = self._draw(rng, np.full(acc.n, 4.0), days, daily)
        n = len(day)
        pressure = acc.churn_pressure(ai, day)
        level = acc.sat_base[ai] - 2.0 * pressure + rng.normal(0, 0.55, n)
        score = np.clip(np.round(level), 1, 5).astype(np.int64)
        nps = np.clip(np.round(2 * level - 0.5 + rng.normal(0, 1.2, n)), 0, 10).astype(np.int64)
        has_comment = rng.random(n) < 0.45
        comment = np.where(has_comment, rng.integers(0, 2, n), -1)
        return {
            "day": day,
            "sec": rng.integers(8 * 3600, 22 * 3600, n),
            "acc": ai,
            "score": score,
            "nps": nps,
            "comment": comment,
            "seq": _seq_in_day(day),
        }

    def _complaints(self, first: int, last: int, index: int) -> Columns:
        w, acc = self.w, self.w.accounts
        rng = rng_for(w.seed, RNG_COMPLAINTS, index)
        days = np.arange(first, last + 1)
        a = np.arange(acc.n)
        pressure = acc.churn_pressure(a[None, :], days[:, None])
        daily = (
            acc.alive(a[None, :], days[:, None])
            * (1 + 5 * pressure)
            * w.cal.business_factor[days][:, None]
        )
        day, ai = self._draw(rng, np.full(acc.n, 0.8), days, daily)
        n = len(day)
        pr = acc.churn_pressure(ai, day)
        category = rng.choice(4, size=n, p=(0.35, 0.30, 0.15, 0.20))
        u = rng.random(n) - 0.3 * pr
        severity = np.where(u < 0.15, 2, np.where(u < 0.55, 1, 0))
        return {
            "day": day,
            "sec": rng.integers(8 * 3600, 21 * 3600, n),
            "acc": ai,
            "category": category,
            "severity": severity,
            "text": rng.integers(0, 3, n),
            "seq": _seq_in_day(day),
        }

    def _tickets(self, first: int, last: int, index: int) -> Columns:
        """Tickets resolved in the month (the export is by resolution day)."""
        w, acc = self.w, self.w.accounts
        rng = rng_for(w.seed, RNG_TICKETS, index)
        days = np.arange(first, last + 1)
        a = np.arange(acc.n)
        daily = acc.alive(a[None, :], days[:, None]) * (
            0.3 + 0.7 * w.cal.business_factor[days][:, None]
        )
        day, ai = self._draw(rng, self.ticket_rate, days, daily)
        n = len(day)
        sev = rng.choice(4, size=n, p=TICKET_SEVERITY_P)
        resolved = day * 86400 + rng.integers(8 * 3600, 21 * 3600, n)
        res_s = np.round(rng.gamma(2.0, TICKET_RESOLVE_HOURS[sev] / 2.0) * 3600).astype(np.int64)
        res_s = np.maximum(res_s, 1800)
        created_at = acc.created_day[ai] * 86400 + acc.created_sec[ai]
        opened = np.maximum(resolved - res_s, created_at + 600)
        fr_s = np.round(rng.gamma(2.0, TICKET_RESPONSE_HOURS[sev] / 2.0) * 3600).astype(np.int64)
        first_response = np.minimum(opened + np.maximum(fr_s, 60), resolved - 60)
        order = np.lexsort((resolved, day))
        cols = {
            "day": day,
            "acc": ai,
            "opened": opened,
            "first_response": first_response,
            "resolved": resolved,
            "severity": sev,
            "channel": rng.choice(3, size=n, p=(0.4, 0.35, 0.25)),
        }
        cols = _take(cols, order)
        cols["seq"] = _seq_in_day(cols["day"])
        return cols

    # ------------------------------------------------------------ account/contact changes
    def _accounts(self, first: int, last: int) -> Columns:
        acc = self.w.accounts
        emit = np.where(acc.ver_kind == 0, np.maximum(acc.ver_day, 0), acc.ver_day)
        sel = np.nonzero((emit >= first) & (emit <= last))[0]
        sel = sel[np.lexsort((sel, emit[sel]))]
        return {
            "day": emit[sel],
            "acc": acc.ver_acc[sel],
            "sec": np.where(
                acc.ver_kind[sel] == 0, acc.created_sec[acc.ver_acc[sel]], acc.ver_sec[sel]
            ),
            "owner": acc.ver_owner[sel],
            "emp": acc.ver_emp[sel],
            "rev": acc.ver_rev[sel],
        }

    def _contacts(self, first: int, last: int) -> Columns:
        c = self.w.contacts
        lo, hi = np.searchsorted(c.day, [first, last + 1])
        return {k: getattr(c, k)[lo:hi] for k in c.__dataclass_fields__}
