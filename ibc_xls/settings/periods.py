"""Report periods and the reporting date. Reports are due in April and October; each covers
the six months since the last one: the April report 1 October – 31 March, the October report
1 April – 30 September. The reporting date (``--as-of``) is the day as of which deadlines and
dates are judged, so that the same returns always give the same report.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ibc_xls.problems import IbcError, Problem

_PERIOD = re.compile(r"^(\d{4})-(04|10)$")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str
    code: str  # for file names: "2026-04", or "2025-10-01_2026-03-31"

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def text(self) -> str:
        return f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}"


def report_period(text: str) -> Period:
    """``2026-04`` → 1 Oct 2025 – 31 Mar 2026; ``2026-10`` → 1 Apr – 30 Sep 2026."""
    match = _PERIOD.match(text.strip())
    if not match:
        raise IbcError(Problem("bad-period", value=text))
    year = int(match[1])
    if match[2] == "04":
        return Period(dt.date(year - 1, 10, 1), dt.date(year, 3, 31),
                      f"отчёт за апрель {year}", f"{year}-04")
    return Period(dt.date(year, 4, 1), dt.date(year, 9, 30), f"отчёт за октябрь {year}",
                  f"{year}-10")


def default_period(today: dt.date) -> Period:
    """The report due next: in April or October that month's, otherwise the coming one."""
    if 4 <= today.month <= 10:
        return report_period(f"{today.year}-{'04' if today.month == 4 else '10'}")
    year = today.year + 1 if today.month > 10 else today.year
    return report_period(f"{year}-04")


def custom_period(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise IbcError(Problem("bad-period-range", value=f"{start} – {end}"))
    return Period(start, end, f"{start:%d.%m.%Y} – {end:%d.%m.%Y}", f"{start}_{end}")


def academic_year_end(academic_year: int) -> dt.date:
    """The last day (31 August) of the academic year that begins in ``academic_year``."""
    return dt.date(academic_year + 1, 8, 31)


def reporting_date(today: dt.date, period: Period | None = None,
                   academic_year: int | None = None, given: dt.date | None = None) -> dt.date:
    """The day as of which a report is judged: ``given`` (``--as-of``), else the earlier of
    today and the period's last day (or, without a period, of the academic year's last day).
    The April report judged on 10 May and a rerun a year later are judged alike."""
    if given is not None:
        if period is not None and given < period.start:
            raise IbcError(Problem("bad-as-of", value=f"{given:%d.%m.%Y}",
                                   params={"start": f"{period.start:%d.%m.%Y}"}))
        return given
    if period is not None:
        return min(today, period.end)
    if academic_year is not None:
        return min(today, academic_year_end(academic_year))
    return today
