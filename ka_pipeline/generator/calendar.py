"""Day tables and value formatting shared by the generator's writers.

Days are handled as integer offsets from the first generated day (`start` = 0), so whole
months of events can be drawn with numpy and turned into text only when a day is written.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from ka_pipeline.generator.reference import CNY_DATES

PAST_DAYS = 12 * 366  # day tables reach this far before `start` (pre-existing accounts)
FUTURE_DAYS = 7 * 366  # ... and this far after `end` (due dates, future-dated defects)

_TIMES = np.array(
    [f" {s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in range(86400)], dtype=object
)
_DOT_CENTS = np.array([f".{c:02d}" for c in range(100)], dtype=object)

# Relative order volume per calendar month (Feb: Chinese New Year; Nov-Dec: year-end push).
MONTH_FACTOR = np.array([0.95, 0.78, 1.0, 1.0, 0.97, 1.05, 0.95, 0.95, 1.05, 0.93, 1.2, 1.38])
WEEKDAY_FACTOR = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.10, 0.04])  # Monday .. Sunday


def _holiday_factor(day: date) -> float:
    """Business activity on public holidays (Spring Festival, Labour Day, National Day)."""
    cny = CNY_DATES.get(day.year, date(day.year, 2, 1))
    if cny.month == 1 and day.month == 12:
        cny = CNY_DATES.get(day.year + 1, date(day.year + 1, 2, 1))
    k = (day - cny).days
    if -3 <= k <= 6:
        return 0.05
    if -10 <= k <= -4:
        return 0.75
    if 7 <= k <= 15:
        return 0.6
    if day.month == 10 and day.day <= 7:
        return 0.1
    if day.month == 5 and day.day <= 5:
        return 0.3
    return 1.0


def _raw_factors(days: list[date]) -> tuple[np.ndarray, np.ndarray]:
    business = np.array([WEEKDAY_FACTOR[d.weekday()] * _holiday_factor(d) for d in days])
    orders = business * MONTH_FACTOR[np.array([d.month - 1 for d in days])]
    return orders, business


# Normalise on a fixed 20-year span so per-year rates mean the same for any window.
_REF_DAYS = [date(2015, 1, 1) + timedelta(days=i) for i in range(20 * 365 + 5)]
_REF_ORDERS, _REF_BUSINESS = _raw_factors(_REF_DAYS)
_ORDERS_NORM, _BUSINESS_NORM = float(_REF_ORDERS.mean()), float(_REF_BUSINESS.mean())


class Calendar:
    """Text and weights for every day offset from `start - PAST_DAYS` to `end + FUTURE_DAYS`."""

    def __init__(self, start: date, end: date) -> None:
        if end < start:
            raise ValueError(f"end {end} is before start {start}")
        self.start, self.end = start, end
        self.n_days = (end - start).days + 1
        first = start - timedelta(days=PAST_DAYS)
        total = PAST_DAYS + self.n_days + FUTURE_DAYS
        self._dates = [first + timedelta(days=i) for i in range(total)]
        self._iso = np.array([d.isoformat() for d in self._dates], dtype=object)
        self._ymd = np.array([d.strftime("%Y%m%d") for d in self._dates], dtype=object)
        window = self._dates[PAST_DAYS : PAST_DAYS + self.n_days]
        orders, business = _raw_factors(window)
        self.order_factor = orders / _ORDERS_NORM  # mean 1 over a typical year
        self.business_factor = business / _BUSINESS_NORM

    def date(self, offset: int) -> date:
        return self._dates[offset + PAST_DAYS]

    def iso(self, offsets: np.ndarray) -> np.ndarray:
        """`YYYY-MM-DD` text (object array) of day offsets."""
        return self._iso[np.asarray(offsets) + PAST_DAYS]

    def iso1(self, offset: int) -> str:
        return self._iso[offset + PAST_DAYS]

    def ymd(self, offsets: np.ndarray) -> np.ndarray:
        """`YYYYMMDD` text (object array) of day offsets."""
        return self._ymd[np.asarray(offsets) + PAST_DAYS]

    def ymd1(self, offset: int) -> str:
        return self._ymd[offset + PAST_DAYS]

    def timestamps(self, offsets: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """`YYYY-MM-DD HH:MM:SS` text of day offsets plus seconds into the day."""
        return self.iso(offsets) + _TIMES[np.asarray(seconds)]

    def months(self) -> list[tuple[int, int]]:
        """(first, last) day offsets of each calendar month overlapping the window."""
        out, first = [], 0
        while first < self.n_days:
            d = self.date(first)
            nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
            last = min(self.n_days - 1, (nxt - self.start).days - 1)
            out.append((first, last))
            first = last + 1
        return out


def cents_text(cents: np.ndarray) -> list[str]:
    """Integer cents -> plain amount text with two decimals (`12345.60`)."""
    cents = np.asarray(cents, dtype=np.int64)
    whole, frac = np.divmod(np.abs(cents), 100)
    text = list(map(str.__add__, map(str, whole.tolist()), _DOT_CENTS[frac].tolist()))
    if (cents < 0).any():
        text = [f"-{t}" if c < 0 else t for t, c in zip(text, cents.tolist(), strict=True)]
    return text


def int_text(values: np.ndarray) -> list[str]:
    return list(map(str, np.asarray(values, dtype=np.int64).tolist()))
