"""``rollup``: every school report in the office's received folder read in isolation,
combined, and written as one summary workbook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ibc_xls.checking.check import gc_paused
from ibc_xls.checking.results import ValueTable
from ibc_xls.output import write_atomic
from ibc_xls.problems import Problem, in_folder
from ibc_xls.reading.files import find_workbooks
from ibc_xls.reading.isolate import prestart, run_isolated
from ibc_xls.rollup.combine import Rolled, rollup
from ibc_xls.rollup.office import Office
from ibc_xls.rollup.readreport import (
    ReportRead,
    Stash,
    compact,
    display,
    read_packed,
)
from ibc_xls.rollup.workbook import write_summary
from ibc_xls.settings.periods import report_period
from ibc_xls.text import Rollup


@dataclass
class RolledUp:
    """What a rollup did: the combined reports and where the summary is."""

    rolled: Rolled
    output: Path
    files: int
    replaced: bool = False  # a summary of the same name was there and is replaced


def default_output(office: Office, period: str) -> Path:
    from ibc_xls.blanks.generate import safe_file_name

    name = Rollup.OUTPUT.format(period=period or Rollup.ALL_PERIODS)
    return office.folders["summaries"] / safe_file_name(name)


def run_rollup(office: Office, *, folder: Path | None = None, output: Path | None = None,
               period: str | None = None, all_periods: bool = False,
               workers: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> RolledUp:
    """Read every file in ``folder`` (default: the received folder), combine the school reports
    for ``period`` (``2026-04``; default: the latest one) and write the summary atomically."""
    if period:
        report_period(period)  # a bad period is refused before anything is read
    prestart(read_packed, workers)
    received = folder or office.folders["received"]
    files = find_workbooks([received])
    work = partial(read_packed, base=office.root)
    outcomes = []
    shared = ValueTable()
    with gc_paused(), Stash.temporary() as stash:
        for done, (path, outcome) in enumerate(run_isolated(files, work, workers=workers), 1):
            if progress:
                progress(done, len(files))
            name = display(path, office.root)
            if isinstance(outcome, Problem):
                outcome = in_folder(outcome, name, display(received, office.root))
            else:
                stash.put(compact(outcome, shared))
            outcomes.append((name, outcome))
        for _, outcome in outcomes:
            if isinstance(outcome, ReportRead):
                stash.take(outcome, shared)
        del shared
        outcomes.sort(key=lambda x: x[0])
        rolled = rollup(office, outcomes, period, all_periods)
        # The summary's tables hold what they need of the reports' rows now: the rows
        # themselves go before the workbook is built.
        for _, outcome in outcomes:
            if isinstance(outcome, ReportRead):
                outcome.tables.clear()
        target = output or default_output(office, rolled.period)
        replaced = target.exists()
        created = dt.datetime.now().replace(microsecond=0)
        write_atomic(target, partial(write_summary, rolled, created=created))
    return RolledUp(rolled, target, len(files), replaced)
