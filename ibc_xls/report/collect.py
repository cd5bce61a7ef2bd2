"""``collect``: every returned workbook read and judged, consolidated, and written as one
report workbook for the education office."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ibc_xls.checking.check import check_paths, gc_paused
from ibc_xls.checking.results import Report
from ibc_xls.output import write_atomic
from ibc_xls.problems import PLACES, IbcError, Problem
from ibc_xls.settings.config import Config, place_of
from ibc_xls.settings.periods import Period, reporting_date
from ibc_xls.settings.respondents import Respondent, respondents
from ibc_xls.text import People


@dataclass
class Collected:
    """What a collect did: the checked files, who has not answered, where the report is."""

    report: Report
    missing: list[Respondent]
    output: Path
    period: Period
    as_of: dt.date
    expected: int = 0  # respondents the school expects a workbook from
    replaced: bool = False  # a report of the same name was there and is replaced

    def to_json(self) -> dict:
        data = self.report.to_json()
        data["summary"]["missing"] = len(self.missing)
        data["missing"] = [{"respondent": r.name, "class": r.class_name, "role": r.role}
                           for r in self.missing]
        data["report"] = str(self.output)
        data["report_replaced"] = self.replaced
        data["period"] = {"label": self.period.label, "start": self.period.start.isoformat(),
                          "end": self.period.end.isoformat()}
        data["summary"]["respondents"] = self.expected
        data["summary"]["respondents_sent"] = self.expected - len(self.missing)
        return data


def default_output(config: Config, period: Period) -> Path:
    """``Сводный отчёт ИБЦ МОУ «СОШ №4» 2027-04.xlsx``: the office receives one from every
    school, so the school's short name is in it."""
    from ibc_xls.blanks.generate import safe_file_name

    return config.folders["reports"] / safe_file_name(
        People.REPORT_FILE.format(school=config.school, period=period.code))


def collect(config: Config, period: Period, *, paths: Sequence[Path] = (),
            output: Path | None = None, as_of: dt.date | None = None,
            workers: int | None = None,
            progress: Callable[[int, int], None] | None = None) -> Collected:
    """Check every workbook under ``paths`` (default: the returned folder), consolidate the
    valid rows for ``period`` as of the reporting date ``as_of`` (by default the earlier of
    today and the period's last day) and write the report to ``output`` atomically.

    Nothing is written when the output would replace an input (see ``check_output``) or
    when a folder or file could not be read because of the operating system: the previous
    report is better than one that silently lacks their books."""
    from ibc_xls.report.consolidate import consolidate
    from ibc_xls.report.workbook import write_report

    as_of = reporting_date(dt.date.today(), period, given=as_of)
    paths = list(paths) or [config.folders["returned"]]
    target = output or default_output(config, period)
    check_output(config, target, paths)
    specs = config.specs()
    with gc_paused():
        report = check_paths(paths, config, as_of=as_of, workers=workers, progress=progress)
        blocked = [p for p in report.problems if p.code in NOT_READ]
        if blocked:
            raise IbcError([*blocked, Problem("report-not-written", file=str(target))])
        data = consolidate(report, config, specs, period, as_of, release=True)
        report.release_rows()  # the report's tables hold their values now
        created = dt.datetime.now().replace(microsecond=0)
        replaced = target.exists()
        write_atomic(target, partial(write_report, data, created=created, release=True))
    sent = {f.identity.get("respondent_id") for f in report.files if f.forms}
    people = respondents(config, specs)
    missing = [r for r in people if r.id not in sent]
    return Collected(report, missing, target, period, as_of, len(people), replaced)


# Problems that mean books could not even be looked at (no permission, a folder that cannot
# be listed, any other refusal of the operating system): a report without them would drop
# respondents without a word.
NOT_READ = frozenset({"folder-unreadable", "file-busy", "file-system-refused"})


def check_output(config: Config, target: Path, paths: Sequence[Path]) -> None:
    """Refuse an output that would replace an input: a returned workbook or anything in a
    folder read as returns, the settings file, a template or a blank."""
    place = place_of(config, target)
    resolved = target.resolve()
    for path in paths:
        path = path.resolve()
        if resolved == path or resolved.is_relative_to(path):
            place = "returned"
    if place in ("returned", "settings", "templates", "outgoing"):
        raise IbcError(Problem("output-is-input", file=str(target), params={
            "what": PLACES[place], "reports": config.folders["reports"].name}))
