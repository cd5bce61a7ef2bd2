"""The roadmap's measures as of the reporting date: each measure part's status, whether it is
done, due and overdue (no I/O). The progress summaries and figures of ``report.analyses`` show
them.

Overdue roadmap measures
------------------------
The spec's ``deadline`` text gives control dates: "31.05.2024" (once), "ежегодно 31.05" or
"ежегодно 30.04 и 31.10" (every year). The blanks belong to one academic year (1 September –
31 August); a yearly deadline means that day inside it (both days for "30.04 и 31.10"). A
measure is *done* when its status is «Выполнено» in a row without errors with a completion date
on or before the reporting date, inside the academic year for a yearly measure (done late
still counts as done). A measure is overdue when one of its control dates (a once date, or a
yearly one inside the academic year) is on or before the reporting date and it is not done,
unless it is «В работе» towards a control date of the academic year still to come: a measure
on track for a deadline still to come is never overdue.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from ibc_xls.forms.spec import FormSpec
from ibc_xls.report.rows import NOT_TAKEN, Row, Rows
from ibc_xls.text import Consolidated as C

# Meanings of the roadmap's statuses (``meanings`` of its status column) the overdue rule uses.
DONE, IN_WORK = "done", "in_work"
NO_INFO = C.NO_INFO


class Measure:
    """The columns a frame of measures has besides the form's own (by column key); none of
    them can be a column key of a spec."""

    STATUS = "@status"  # a status of the spec's list, or NO_INFO
    DUE = "@due"  # the deadline shown
    DONE = "@done"
    IN_FORCE = "@in_force"  # a control date has come
    OVERDUE = "@overdue"
    NOTES = "@notes"  # the problems of its row

_ONE_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_DAY_MONTH = re.compile(r"(\d{1,2})\.(\d{1,2})")


@dataclass(frozen=True)
class Deadline:
    """Control dates understood from the spec's text: fixed dates, or (month, day) every year."""

    text: str
    once: tuple[dt.date, ...] = ()
    yearly: tuple[tuple[int, int], ...] = ()

    def dates(self, year: tuple[dt.date, dt.date]) -> list[dt.date]:
        """The control dates that bind in the academic year ``year`` (its first and last
        day): the fixed dates, and each yearly day inside that year."""
        days = set(self.once)
        first, last = year
        for month, day in self.yearly:
            for calendar_year in (first.year, last.year):
                try:
                    date = dt.date(calendar_year, month, day)
                except ValueError:  # 29 February of a common year
                    continue
                if first <= date <= last:
                    days.add(date)
        return sorted(days)


def parse_deadline(text: str) -> Deadline:
    """``31.05.2024`` → once; ``ежегодно 31.05``, ``ежегодно 30.04 и 31.10`` → every year.
    Text without a date gives a deadline that never passes."""
    text = (text or "").strip()
    if text.casefold().startswith(C.YEARLY):
        pairs = []
        for d, m in _DAY_MONTH.findall(text):
            if 1 <= int(m) <= 12 and 1 <= int(d) <= 31:
                pairs.append((int(m), int(d)))
        return Deadline(text, yearly=tuple(pairs))
    once = []
    for d, m, y in _ONE_DATE.findall(text):
        try:
            once.append(dt.date(int(y), int(m), int(d)))
        except ValueError:
            continue
    return Deadline(text, once=tuple(once))


def is_done(deadline: Deadline, status: str | None, done_date: dt.date | None,
            as_of: dt.date, year: tuple[dt.date, dt.date]) -> bool:
    """Whether a measure counts as done on ``as_of``: its status means done (``DONE``, in a row
    without errors) with a completion date on or before ``as_of``, inside the academic year
    ``year`` for a yearly measure. Done late still counts as done."""
    if status != DONE or not isinstance(done_date, dt.date) or done_date > as_of:
        return False
    return not deadline.yearly or year[0] <= done_date <= year[1]


def is_overdue(deadline: Deadline, status: str | None, done_date: dt.date | None,
               as_of: dt.date, year: tuple[dt.date, dt.date]) -> tuple[bool, dt.date | None]:
    """Whether a measure is overdue on the reporting date ``as_of`` in the academic year
    ``year``, and the date shown as its deadline: the first one missed, else the next one to
    come, else the last one. ``status`` is what the status means (``DONE``, ``IN_WORK``, as the
    spec's ``meanings`` name them), the status itself for another, None for a row with errors
    or not handed in.

    Overdue: a control date on or before ``as_of`` and the measure not done, unless it is
    in work towards a control date still to come in the academic year."""
    dates = deadline.dates(year)
    passed = [d for d in dates if d <= as_of]
    coming = [d for d in dates if d > as_of]
    late = bool(passed) and not is_done(deadline, status, done_date, as_of, year) \
        and not (status == IN_WORK and coming)
    shown = passed[0] if late else coming[0] if coming else passed[-1] if passed else None
    return late, shown


def measures(spec: FormSpec, rows: Rows, as_of: dt.date,
             year: tuple[dt.date, dt.date]) -> pd.DataFrame:
    """Every measure part of the plan (a fixed row of ``spec``) as of the reporting date, from
    its row in the last saved workbook taken: its prefilled values and what was typed, by
    column key, then the columns of ``Measure``."""
    part_key = spec.role("part").key
    latest: dict[str, Row] = {}  # part → its row in the last saved workbook taken
    for r in sorted(rows, key=lambda r: (r.file.modified, r.file.file)):
        if r.why_not not in NOT_TAKEN:
            latest[str(r.record.get(part_key))] = r
    status_col = spec.role("status")
    status_key, done_date_key = status_col.key, spec.role("done_date").key
    deadline_key = spec.role("deadline").key
    statuses, done, in_work = status_col.choices, status_col.meaning(DONE), \
        status_col.meaning(IN_WORK)
    data = []
    for fixed in spec.fixed_rows:
        r = latest.get(fixed[part_key])
        ok = r is not None and not r.why_not
        # A row with errors shows what was typed; its typed values may be missing.
        values = (r.record if r.record.ok else r.record.raw) if r else {}  # .get() either way
        status = values.get(status_key) if ok and values.get(status_key) in statuses \
            else NO_INFO
        deadline = parse_deadline(fixed.get(deadline_key, ""))
        done_date = values.get(done_date_key) if ok else None
        judged = None if status == NO_INFO else DONE if status in done \
            else IN_WORK if status in in_work else status
        late, due = is_overdue(deadline, judged, done_date, as_of, year)
        data.append([fixed.get(c.key, "") if c.prefilled else values.get(c.key)
                     for c in spec.columns]
                    + [status, due, is_done(deadline, judged, done_date, as_of, year),
                       any(d <= as_of for d in deadline.dates(year)), late,
                       r.notes if r else C.ROADMAP_NOT_SENT])
    names = [c.key for c in spec.columns] + [Measure.STATUS, Measure.DUE, Measure.DONE,
                                             Measure.IN_FORCE, Measure.OVERDUE, Measure.NOTES]
    return pd.DataFrame(data, columns=names, dtype=object)
