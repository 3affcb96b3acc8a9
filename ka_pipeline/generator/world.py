"""The static world behind the sample: reps, products, accounts, contacts and their histories.

Everything here is small (proportional to the number of accounts, not to the number of
orders) and held as numpy arrays; events that scale with time and volume (orders, lines,
invoices, ...) are drawn month by month in `events.py` and never held for the whole window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ka_pipeline.generator.calendar import Calendar
from ka_pipeline.generator.reference import (
    BRAND_FIRST,
    BRAND_SECOND,
    CATALOG,
    COMPANY_SUFFIXES,
    GIVEN_CHARS,
    INDUSTRIES,
    PROVINCES,
    REGIONS,
    SURNAMES,
    TEAM_NUMERALS,
)

ACCOUNTS_PER_SCALE = 500
ACCOUNTS_PER_REP = 12
MIN_REPS = 8
DAYS_PER_MONTH = 30.4375

# Account paths (lifecycle the account follows over the window).
STABLE, GROWTH, DECLINE, CHURNED, NEW = range(5)
PATH_NAMES = ("stable", "growth", "decline", "churned", "new")
PATH_SHARES = (0.40, 0.20, 0.15, 0.15, 0.10)

NEVER = 10**7  # a day offset after anything generated

# Purposes of the random streams: one numpy Generator per purpose (and per month where the
# purpose repeats), so changing one part never shifts the draws of another.
RNG_REPS, RNG_PRODUCTS, RNG_ACCOUNTS, RNG_NAMES, RNG_TIMELINE, RNG_CONTACTS = range(1, 7)


def rng_for(seed: int, *purpose: int) -> np.random.Generator:
    return np.random.default_rng([seed, *purpose])


@dataclass
class Reps:
    ids: list[str]
    names: list[str]
    teams: list[str]
    region: np.ndarray  # index into REGIONS
    hire_day: np.ndarray  # day offset
    leave_day: np.ndarray  # day offset, NEVER when still employed

    def active(self, rep: int, day: int) -> bool:
        return self.hire_day[rep] <= day < self.leave_day[rep]


@dataclass
class Products:
    ids: list[str]
    names: list[str]
    category: np.ndarray  # index into CATALOG
    category_names: list[str]
    lines: list[str]
    list_cents: np.ndarray
    cost_cents: np.ndarray
    launch_day: np.ndarray
    fallback: np.ndarray  # same-category product on sale before the window
    cat_start: np.ndarray  # products are sorted by category: first index per category
    cat_count: np.ndarray


@dataclass
class Accounts:
    n: int
    ids: list[str]
    names: list[str]
    brand: list[str]  # short name for opportunity names
    domain: list[str]
    industry: np.ndarray  # index into INDUSTRIES
    province: np.ndarray  # index into PROVINCES
    region: np.ndarray
    city: list[str]
    founded_year: np.ndarray
    created_day: np.ndarray
    created_sec: np.ndarray
    first_order_day: np.ndarray  # day offset of the first order of accounts won in the window
    path: np.ndarray
    path_day: np.ndarray  # growth/decline start, churn day, or (new) creation day
    path_rate: np.ndarray  # monthly growth / decline rate
    weight: np.ndarray  # revenue potential (lognormal: gives the Pareto shape)
    order_rate: np.ndarray  # orders per year at multiplier 1
    order_value: np.ndarray  # typical order value, CNY
    channel: np.ndarray
    pref_cat: np.ndarray  # (n, 2) preferred categories
    terms: np.ndarray  # payment terms, days
    late_payer: np.ndarray
    sat_base: np.ndarray
    emp0: np.ndarray
    rev0: np.ndarray  # annual revenue CNY at start (or creation)
    # version history (initial row + owner / size changes), sorted by (account, day)
    ver_acc: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    ver_day: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    ver_sec: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    ver_owner: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    ver_emp: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    ver_rev: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    ver_kind: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # 0 initial

    _KEY = 1 << 24

    def owner_at(self, acc: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Owner rep index of each account on each day (last version on or before it)."""
        keys = self.ver_acc * self._KEY + (self.ver_day + NEVER)
        probe = np.asarray(acc) * self._KEY + (np.asarray(day) + NEVER)
        idx = np.searchsorted(keys, probe, side="right") - 1
        return self.ver_owner[np.maximum(idx, 0)]

    def path_multiplier(self, acc: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Order-volume multiplier of the account path (broadcasts acc against day)."""
        path, t0, rate = self.path[acc], self.path_day[acc], self.path_rate[acc]
        months = (day - t0) / DAYS_PER_MONTH
        m = np.ones(np.broadcast_shapes(np.shape(acc), np.shape(day)))
        m = np.where(path == GROWTH, np.exp(rate * np.clip(months, 0, None)), m)
        m = np.where(path == DECLINE, np.maximum(0.12, np.exp(-rate * np.clip(months, 0, None))), m)
        churn = np.where(months >= 0, 0.0, 1.0 - 0.6 * np.clip((months + 6) / 6, 0, 1))
        m = np.where(path == CHURNED, churn, m)
        m = np.where(path == NEW, np.clip(0.5 + months / 6, 0.5, 1.0), m)
        return np.where(day >= self.created_day[acc], m, 0.0)

    def alive(self, acc: np.ndarray, day: np.ndarray) -> np.ndarray:
        """1 from the day after the account was created until it churns, else 0 (timestamped
        events never precede the account's created_at)."""
        churned = (self.path[acc] == CHURNED) & (day >= self.path_day[acc])
        return ((day > self.created_day[acc]) & ~churned).astype(float)

    def churn_pressure(self, acc: np.ndarray, day: np.ndarray) -> np.ndarray:
        """0..1: how far an account is into its pre-churn slide (6 months before churning),
        or into a decline (half strength)."""
        months = (day - self.path_day[acc]) / DAYS_PER_MONTH
        pre = np.clip((months + 6) / 6, 0, 1) * (months < 0)
        decline = 0.5 * np.clip(months / 12, 0, 1)
        return np.where(
            self.path[acc] == CHURNED, pre, np.where(self.path[acc] == DECLINE, decline, 0.0)
        )


@dataclass
class Contacts:
    """Contact versions (initial + changes), sorted by emission day."""

    contact: np.ndarray  # contact number (id C%07d)
    acc: np.ndarray
    day: np.ndarray
    sec: np.ndarray
    surname: np.ndarray
    given1: np.ndarray
    given2: np.ndarray  # -1: one-character given name
    role: np.ndarray
    phone: np.ndarray
    email_variant: np.ndarray


@dataclass
class World:
    cal: Calendar
    seed: int
    scale: float
    reps: Reps
    products: Products
    accounts: Accounts
    contacts: Contacts


def _person_names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    sw = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.6
    surname = rng.choice(len(SURNAMES), size=n, p=sw / sw.sum())
    given1 = rng.integers(0, len(GIVEN_CHARS), n)
    given2 = np.where(rng.random(n) < 0.7, rng.integers(0, len(GIVEN_CHARS), n), -1)
    return surname, given1, given2


def person_name(surname: int, given1: int, given2: int) -> str:
    name = SURNAMES[surname][0] + GIVEN_CHARS[given1][0]
    return name + GIVEN_CHARS[given2][0] if given2 >= 0 else name


def build_products() -> Products:
    """The fixed catalogue (~60 products in 6 categories and 18 product lines)."""
    rng = np.random.default_rng([0, RNG_PRODUCTS])
    names, cats, lines, prices, costs, cat_names = [], [], [], [], [], []
    for ci, (cat, (lo, hi), product_lines) in enumerate(CATALOG):
        cat_names.append(cat)
        for line, items in product_lines:
            for name, price in items:
                names.append(name)
                cats.append(ci)
                lines.append(line)
                prices.append(int(price) * 100)
                costs.append(int(round(price * rng.uniform(lo, hi), 2) * 100))
    n = len(names)
    category = np.array(cats)
    # most products predate any window; every category has one launched recently
    launch = -rng.integers(400, 3000, n)
    cat_start = np.searchsorted(category, np.arange(len(CATALOG)))
    cat_count = np.bincount(category, minlength=len(CATALOG))
    fallback = np.arange(n)
    list_cents = np.array(prices, dtype=np.int64)
    for ci in range(len(CATALOG)):
        recent = cat_start[ci] + cat_count[ci] - 1
        launch[recent] = 0  # placeholder: set relative to the window in build_world
        # before its launch, buyers take the same category's product closest in price
        older = np.arange(cat_start[ci], recent)
        fallback[recent] = older[np.argmin(np.abs(list_cents[older] - list_cents[recent]))]
    return Products(
        ids=[f"P{i + 1:04d}" for i in range(n)],
        names=names,
        category=category,
        category_names=cat_names,
        lines=lines,
        list_cents=list_cents,
        cost_cents=np.array(costs, dtype=np.int64),
        launch_day=launch,
        fallback=fallback,
        cat_start=cat_start,
        cat_count=cat_count,
    )


def _build_reps(seed: int, n_reps_min: int, acc_region: np.ndarray, n_days: int) -> Reps:
    rng = rng_for(seed, RNG_REPS)
    counts = np.bincount(acc_region, minlength=len(REGIONS)).astype(float)
    n_base = max(n_reps_min, int((counts > 0).sum()))
    share = counts / counts.sum() * n_base
    alloc = np.floor(share).astype(int)
    alloc[(counts > 0) & (alloc == 0)] = 1
    while alloc.sum() < n_base:
        alloc[np.argmax(share - alloc + (counts > 0) * 1e-9)] += 1
    region, teams = [], []
    for r, k in enumerate(alloc):
        for j in range(k):
            region.append(r)
            teams.append(f"{REGIONS[r][1]}大客户{TEAM_NUMERALS[min(j // 6, 9)]}组")
    n = len(region)
    hire = -rng.integers(60, 10 * 365, n)
    leave = np.full(n, NEVER, dtype=np.int64)
    region_arr = np.array(region)
    # some reps leave during the window; a replacement joins the same team
    replacements_region, replacements_team, replacements_hire = [], [], []
    if n_days >= 120:
        for i in range(n):
            if alloc[region_arr[i]] >= 3 and rng.random() < 0.05 * n_days / 365:
                leave[i] = rng.integers(60, n_days - 30)
                replacements_region.append(region_arr[i])
                replacements_team.append(teams[i])
                replacements_hire.append(max(1, leave[i] - rng.integers(0, 30)))
    region_arr = np.concatenate([region_arr, np.array(replacements_region, dtype=int)])
    teams = teams + replacements_team
    hire = np.concatenate([hire, np.array(replacements_hire, dtype=np.int64)])
    leave = np.concatenate([leave, np.full(len(replacements_region), NEVER, dtype=np.int64)])
    total = len(teams)
    surname, g1, g2 = _person_names(rng, total)
    return Reps(
        ids=[f"R{i + 1:04d}" for i in range(total)],
        names=[
            person_name(*t) for t in zip(surname.tolist(), g1.tolist(), g2.tolist(), strict=True)
        ],
        teams=teams,
        region=region_arr,
        hire_day=hire.astype(np.int64),
        leave_day=leave,
    )


def _pick_rep(rng, reps: Reps, by_region: list[np.ndarray], region: int, day: int, avoid: int):
    pool = by_region[region]
    for _ in range(64):
        rep = int(pool[rng.integers(0, len(pool))])
        if rep != avoid and reps.active(rep, day):
            return rep
    active = [int(r) for r in pool if reps.active(int(r), day) and r != avoid]
    return active[0] if active else avoid


def _account_names(rng, n: int, city: list[str], industry: np.ndarray, weight: np.ndarray):
    names, brands, domains, seen = [], [], [], set()
    big = weight > np.quantile(weight, 0.8) if n else weight
    for i in range(n):
        words = INDUSTRIES[industry[i]][4]
        while True:
            a, b = rng.integers(0, len(BRAND_FIRST)), rng.integers(0, len(BRAND_SECOND))
            if BRAND_FIRST[a][0] == BRAND_SECOND[b][0]:
                continue
            brand = BRAND_FIRST[a][0] + BRAND_SECOND[b][0]
            word = words[rng.integers(0, len(words))]
            p = (0.35, 0.35, 0.30) if big[i] else (0.70, 0.22, 0.08)
            suffix = COMPANY_SUFFIXES[rng.choice(3, p=p)]
            name = f"{city[i]}{brand}{word}{suffix}"
            if name not in seen:
                break
        seen.add(name)
        names.append(name)
        brands.append(brand + word)
        pinyin = BRAND_FIRST[a][1] + BRAND_SECOND[b][1]
        tld = (".com", ".com.cn", ".cn")[rng.integers(0, 3)]
        extra = ("", "", "", "-group", "tech", "gf")[rng.integers(0, 6)]
        domains.append(f"{pinyin}{extra}{tld}")
    return names, brands, domains


def build_world(start, end, seed: int = 42, scale: float = 1.0) -> World:
    """Everything that does not grow with the number of days: deterministic per argument."""
    cal = Calendar(start, end)
    n_days = cal.n_days
    last = n_days - 1
    rng = rng_for(seed, RNG_ACCOUNTS)
    n = max(20, round(ACCOUNTS_PER_SCALE * scale))

    ind_p = np.array([i[3] for i in INDUSTRIES])
    industry = rng.choice(len(INDUSTRIES), size=n, p=ind_p / ind_p.sum())
    prov_p = np.array([p[5] for p in PROVINCES])
    province = rng.choice(len(PROVINCES), size=n, p=prov_p / prov_p.sum())
    region_codes = [r[0] for r in REGIONS]
    region = np.array([region_codes.index(PROVINCES[p][3]) for p in province])
    city = [PROVINCES[p][6][rng.integers(0, len(PROVINCES[p][6]))] for p in province]

    # lognormal potential -> the top 20 % of accounts carry ~3/4 of revenue
    weight = rng.lognormal(0.0, 1.5, n)
    path = rng.choice(5, size=n, p=PATH_SHARES)
    path_day = np.zeros(n, dtype=np.int64)
    path_rate = np.zeros(n)
    months = rng.uniform(0, 1, n)
    g = path == GROWTH
    path_day[g] = last - np.round((12 + 12 * months[g]) * DAYS_PER_MONTH).astype(np.int64)
    path_rate[g] = rng.uniform(0.06, 0.10, g.sum())
    d = path == DECLINE
    path_day[d] = last - np.round((10 + 14 * months[d]) * DAYS_PER_MONTH).astype(np.int64)
    path_rate[d] = rng.uniform(0.05, 0.10, d.sum())
    c = path == CHURNED
    path_day[c] = last - np.round((7 + 11 * months[c]) * DAYS_PER_MONTH).astype(np.int64)
    nw = path == NEW
    path_day[nw] = last - np.round((1 + 7.8 * months[nw]) * DAYS_PER_MONTH).astype(np.int64)

    created = -rng.integers(30, 8 * 365, n)
    # some stable/growth accounts join during the first part of the window
    joins = ((path == STABLE) | (path == GROWTH)) & (rng.random(n) < 0.15)
    late_limit = max(1, n_days - 540)
    created[joins] = rng.integers(0, late_limit, joins.sum())
    created[nw] = path_day[nw]
    created_sec = rng.integers(9 * 3600, 18 * 3600, n)
    # an account won during the window places its first order within a few weeks
    first_order = np.where(created >= 0, created + rng.integers(2, 26, n), -1)

    freq = weight**0.4
    order_rate = np.clip(14.5 * freq / freq.mean(), 4.0, 120.0)
    value = weight**0.6
    order_value = 27000.0 * value / value.mean()
    channel = rng.choice(3, size=n, p=(0.6, 0.3, 0.1))
    pref_cat = np.stack([rng.integers(0, len(CATALOG), n), rng.integers(0, len(CATALOG), n)], 1)
    terms = rng.choice(np.array([30, 60, 90]), size=n, p=(0.5, 0.3, 0.2))
    late_payer = rng.random(n) < np.where(path == CHURNED, 0.3, 0.125)
    sat_base = np.clip(rng.normal(4.1, 0.45, n), 2.9, 4.9)

    # company size: bigger buyers tend to be bigger companies (employee / revenue bands)
    emp0 = np.round(np.clip(rng.lognormal(np.log(180) + 0.5 * np.log(weight), 0.8), 15, 80000))
    rev_per_emp = rng.uniform(1.5e5, 9e5, n)
    rev0 = np.round(emp0 * rev_per_emp / 10000) * 10000
    founded_year = np.minimum(
        np.array([cal.date(int(x)).year for x in created]) - rng.integers(0, 25, n),
        cal.start.year,
    )
    founded_year = np.maximum(founded_year, 1979)

    name_rng = rng_for(seed, RNG_NAMES)
    names, brands, domains = _account_names(name_rng, n, city, industry, weight)

    reps = _build_reps(seed, max(MIN_REPS, round(n / ACCOUNTS_PER_REP)), region, n_days)
    accounts = Accounts(
        n=n,
        ids=[f"A{i + 1:06d}" for i in range(n)],
        names=names,
        brand=brands,
        domain=domains,
        industry=industry,
        province=province,
        region=region,
        city=city,
        founded_year=founded_year.astype(np.int64),
        created_day=created.astype(np.int64),
        created_sec=created_sec,
        first_order_day=first_order.astype(np.int64),
        path=path,
        path_day=path_day,
        path_rate=path_rate,
        weight=weight,
        order_rate=order_rate,
        order_value=order_value,
        channel=channel,
        pref_cat=pref_cat,
        terms=terms,
        late_payer=late_payer,
        sat_base=sat_base,
        emp0=emp0.astype(np.int64),
        rev0=rev0.astype(np.int64),
    )
    _build_versions(seed, cal, accounts, reps)
    products = build_products()
    for ci in range(len(CATALOG)):
        recent = products.cat_start[ci] + products.cat_count[ci] - 1
        products.launch_day[recent] = int(n_days * (0.3 + 0.1 * ci))
    contacts = _build_contacts(seed, cal, accounts)
    return World(cal, seed, scale, reps, products, accounts, contacts)


def _build_versions(seed: int, cal: Calendar, acc: Accounts, reps: Reps) -> None:
    """Initial owner and the owner / size changes during the window (one version each)."""
    rng = rng_for(seed, RNG_TIMELINE)
    n, n_days = acc.n, cal.n_days
    by_region = [np.nonzero(reps.region == r)[0] for r in range(len(REGIONS))]
    owner = np.array(
        [
            _pick_rep(rng, reps, by_region, int(acc.region[i]), max(0, int(acc.created_day[i])), -1)
            for i in range(n)
        ],
        dtype=np.int64,
    )
    emp, rev = acc.emp0.copy(), acc.rev0.copy()
    first_day = np.maximum(acc.created_day, 0)
    years = np.maximum(n_days - 1 - first_day, 0) / 365.0
    # (day, kind, target): kind 0 = rep leaves, 1 = owner change, 2 = size change
    events: list[tuple[int, int, int]] = []
    # owner changes: ~6 % of accounts a year at random, plus the accounts of reps who leave
    for kind, rate in ((1, 0.06), (2, 0.15)):
        counts = rng.poisson(rate * years)
        for i in np.nonzero(counts)[0].tolist():
            lo = int(first_day[i]) + 1
            if lo >= n_days:
                continue
            for day in rng.integers(lo, n_days, counts[i]).tolist():
                events.append((day, kind, i))
    for r in np.nonzero(reps.leave_day < n_days)[0].tolist():
        events.append((int(reps.leave_day[r]), 0, r))
    events.sort()

    v_acc, v_day, v_sec, v_owner, v_emp, v_rev, v_kind = ([] for _ in range(7))

    def record(i: int, day: int, sec: int, kind: int) -> None:
        v_acc.append(i)
        v_day.append(day)
        v_sec.append(sec)
        v_owner.append(int(owner[i]))
        v_emp.append(int(emp[i]))
        v_rev.append(int(rev[i]))
        v_kind.append(kind)

    for i in range(n):
        record(i, int(acc.created_day[i]), int(acc.created_sec[i]), 0)
    last_change: dict[int, int] = {}
    for day, kind, target in events:
        if kind == 0:
            held = np.nonzero((owner == target) & (acc.created_day <= day))[0]
            for i in held.tolist():
                if last_change.get(i) == day:
                    continue
                owner[i] = _pick_rep(rng, reps, by_region, int(acc.region[i]), day, target)
                record(i, day, int(rng.integers(9 * 3600, 19 * 3600)), 1)
                last_change[i] = day
        else:
            if last_change.get(target) == day:
                continue
            if kind == 1:
                owner[target] = _pick_rep(
                    rng, reps, by_region, int(acc.region[target]), day, int(owner[target])
                )
            else:
                trend = {GROWTH: (1.05, 1.35), DECLINE: (0.75, 0.97), CHURNED: (0.8, 1.0)}
                lo, hi = trend.get(int(acc.path[target]), (0.9, 1.15))
                emp[target] = max(10, round(emp[target] * rng.uniform(lo, hi)))
                rev[target] = max(10000, round(rev[target] * rng.uniform(lo, hi) / 10000) * 10000)
            record(target, day, int(rng.integers(9 * 3600, 19 * 3600)), kind)
            last_change[target] = day

    order = np.lexsort((np.array(v_day), np.array(v_acc)))
    acc.ver_acc = np.array(v_acc, dtype=np.int64)[order]
    acc.ver_day = np.array(v_day, dtype=np.int64)[order]
    acc.ver_sec = np.array(v_sec, dtype=np.int64)[order]
    acc.ver_owner = np.array(v_owner, dtype=np.int64)[order]
    acc.ver_emp = np.array(v_emp, dtype=np.int64)[order]
    acc.ver_rev = np.array(v_rev, dtype=np.int64)[order]
    acc.ver_kind = np.array(v_kind, dtype=np.int64)[order]


def _build_contacts(seed: int, cal: Calendar, acc: Accounts) -> Contacts:
    """2-5 contacts per account, delivered with the account; a few change later."""
    rng = rng_for(seed, RNG_CONTACTS)
    n_days = cal.n_days
    per_acc = rng.integers(2, 6, acc.n)
    c_acc = np.repeat(np.arange(acc.n), per_acc)
    m = len(c_acc)
    first_in_acc = np.r_[True, c_acc[1:] != c_acc[:-1]]
    role = np.where(first_in_acc, 0, rng.choice(3, size=m, p=(0.15, 0.45, 0.40)))
    surname, g1, g2 = _person_names(rng, m)
    prefixes = np.array([130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 158,
                         159, 166, 177, 180, 181, 185, 186, 187, 188, 189, 199])  # fmt: skip
    phone = prefixes[rng.integers(0, len(prefixes), m)] * 10**8 + rng.integers(0, 10**8, m)
    created = np.maximum(acc.created_day[c_acc], 0)
    sec = acc.created_sec[c_acc] + rng.integers(60, 3600, m)

    cols = {
        "contact": np.arange(m),
        "acc": c_acc,
        "day": created,
        "sec": sec,
        "surname": surname,
        "given1": g1,
        "given2": g2,
        "role": role,
        "phone": phone,
        "email_variant": np.zeros(m, dtype=np.int64),
    }
    # changes: new phone, new e-mail or new role (~8 % of contacts a year)
    years = np.maximum(n_days - 1 - created, 0) / 365.0
    k = rng.poisson(0.08 * years)
    idx = np.repeat(np.arange(m), k)
    if len(idx):
        day = created[idx] + 1 + (rng.random(len(idx)) * (n_days - 1 - created[idx])).astype(int)
        keep = day < n_days
        idx, day = idx[keep], day[keep]
        order = np.lexsort((day, idx))
        idx, day = idx[order], day[order]
        what = rng.integers(0, 3, len(idx)).tolist()
        new_phone = prefixes[rng.integers(0, len(prefixes), len(idx))] * 10**8 + rng.integers(
            0, 10**8, len(idx)
        )
        ch = {key: v[idx].copy() for key, v in cols.items()}
        ch["day"] = day
        ch["sec"] = rng.integers(9 * 3600, 19 * 3600, len(idx))
        # successive changes of one contact accumulate
        state: dict[int, list[int]] = {}
        for j, c in enumerate(idx.tolist()):
            phone_j, email_j, role_j = state.get(c, [int(phone[c]), 0, int(role[c])])
            if what[j] == 0:
                phone_j = int(new_phone[j])
            elif what[j] == 1:
                email_j += 1
            else:
                role_j = 1 if role_j != 1 else 2
            state[c] = [phone_j, email_j, role_j]
            ch["phone"][j], ch["email_variant"][j], ch["role"][j] = phone_j, email_j, role_j
        cols = {key: np.concatenate([cols[key], ch[key]]) for key in cols}
    order = np.lexsort((cols["contact"], cols["day"]))
    return Contacts(**{key: v[order] for key, v in cols.items()})


def contact_email(world: World, surname: int, given1: int, given2: int, acc: int, var: int) -> str:
    given = GIVEN_CHARS[given1][1] + (GIVEN_CHARS[given2][1] if given2 >= 0 else "")
    local = f"{given}.{SURNAMES[surname][1]}"
    if var:
        local = f"{local}{var}"
    return f"{local}@{world.accounts.domain[acc]}"
