"""``collect``: every returned workbook read and judged, consolidated, and written as one
report workbook for the education office."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ibc_xls.check import check_paths, gc_paused
from ibc_xls.config import Config
from ibc_xls.isolate import stop_helpers
from ibc_xls.output import write_atomic
from ibc_xls.periods import Period
from ibc_xls.respondents import Respondent, respondents
from ibc_xls.results import Report


@dataclass
class Collected:
    """What a collect did: the checked files, who has not answered, where the report is."""

    report: Report
    missing: list[Respondent]
    output: Path
    period: Period
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
        return data


def default_output(config: Config, period: Period) -> Path:
    """``Сводный отчёт ИБЦ МОУ «СОШ №4» 2027-04.xlsx``: the office receives one from every
    school, so the school's short name is in it."""
    from ibc_xls.generate import safe_file_name

    return config.folders["reports"] / safe_file_name(
        f"Сводный отчёт ИБЦ {config.school} {period.code}")


def collect(config: Config, period: Period, *, folder: Path | None = None,
            output: Path | None = None, today: dt.date | None = None,
            workers: int | None = None,
            progress: Callable[[int, int], None] | None = None) -> Collected:
    """Check every workbook in ``folder`` (default: the returned folder), consolidate the
    valid rows for ``period`` and write the report to ``output`` atomically."""
    from ibc_xls.consolidate import consolidate
    from ibc_xls.report import write_report

    today = today or dt.date.today()
    specs = config.specs()
    with gc_paused():
        report = check_paths([folder or config.folders["returned"]], config, today=today,
                             workers=workers, progress=progress)
        stop_helpers()  # the reading is done; the report needs the memory
        data = consolidate(report, config, specs, period, today)
        report.release_rows()  # the report's tables hold their values now
        target = output or default_output(config, period)
        created = dt.datetime.now().replace(microsecond=0)
        replaced = target.exists()
        write_atomic(target, partial(write_report, data, created=created))
    sent = {f.identity.get("respondent_id") for f in report.files if f.forms}
    missing = [r for r in respondents(config, specs) if r.id not in sent]
    return Collected(report, missing, target, period, replaced)
