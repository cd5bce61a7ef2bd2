"""What a form declares for the report: its summaries (``[[summaries]]``) and its key figures
(``[[figures]]``), checked against the form's columns when the spec is loaded.

A declaration names columns by *role* (``role = "class"`` on a column), never by key, and choice
values by *meaning* (``meanings = { done = "Выполнено" }`` on a choice column). A school that
renames a column key, or a choice value together with its meaning, changes nothing in the
report; a declaration that asks for a role the form lacks is a Russian problem naming the file
and the key.

Roles with a meaning to the engine: ``part``, ``stage``, ``deadline``, ``status`` (meaning
``done``), ``done_date`` (a roadmap's progress); ``person``, ``class`` (people, grade bands);
``score`` (several columns may share it); ``date`` (a coverage's dates). Any other role is a
free name that a summary refers to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ibc_xls.forms.identity import IDENTITY_SHEET
from ibc_xls.forms.tomlcheck import Checker
from ibc_xls.text import Sheets, Toml

KINDS = ("progress", "crosstab", "listing", "ranking", "top_per_band", "coverage")
COUNTS = ("rows", "people", "sum", "best", "covered", "measures", "done", "due", "overdue")
CHART_TYPES = ("bar", "column")
NUMBERS = ("integer", "decimal")
SHARED_ROLES = ("score",)  # a role several columns of a form may have
ROLE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
TABLE_RE = re.compile(r"^tbl_[a-z0-9_]+$")
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

# The report's own sheets and tables: no declared summary may take their names.
TITLE_SHEET = Sheets.TITLE
SUBMISSIONS_SHEET = Sheets.SUBMISSIONS
PROBLEMS_SHEET = Sheets.PROBLEMS
RECONCILIATION_SHEET = Sheets.RECONCILIATION
SOURCES_SHEET = Sheets.SOURCES
SOURCE_ROWS_SHEET = Sheets.SOURCE_ROWS
REPORT_SHEETS = (TITLE_SHEET, SUBMISSIONS_SHEET, PROBLEMS_SHEET, RECONCILIATION_SHEET,
                 SOURCES_SHEET, SOURCE_ROWS_SHEET, IDENTITY_SHEET)
DATA_SHEET_PREFIX = Sheets.DATA_PREFIX
REPORT_TABLES = ("tbl_key_figures", "tbl_submissions", "tbl_problems", "tbl_reconciliation",
                 "tbl_sources", "tbl_source_rows")
DATA_TABLE_PREFIX = "tbl_data_"

COMMON_KEYS = ("kind", "sheet", "title", "table", "about", "note", "orientation", "chart")
KIND_KEYS = {
    "progress": ("show", "by"),
    "crosstab": ("rows", "columns"),
    "listing": ("order", "where", "total"),
    "ranking": ("by", "count_title", "totals", "ratio", "per", "ratio_title"),
    "top_per_band": ("top", "bands", "then", "omit"),
    "coverage": ("of", "count_title"),
}
CHART_KEYS = ("type", "title", "stacked", "top")
BAND_KEYS = ("name", "grades")
FIGURE_KEYS = ("label", "count", "of", "where", "note")
# Placeholders each text may hold, filled when the report is written.
NOTE_FIELDS = ("period", "as_of", "year_start", "year_end", "top")
CHART_FIELDS = ("shown",)
FIGURE_FIELDS = ("count",)
REPORT_FIELDS = NOTE_FIELDS + CHART_FIELDS + FIGURE_FIELDS  # left alone when a spec is loaded


@dataclass(frozen=True)
class Chart:
    """A native chart above a summary's table: bars or columns, at most ``top`` rows (0: all).
    Without a title, a summary of several groups gets a chart per group, titled by the group."""

    type: str
    title: str = ""
    stacked: bool = False
    top: int = 0


@dataclass(frozen=True)
class Summary:
    """One summary sheet of the report, as a form declares it. Column references are roles."""

    kind: str
    sheet: str
    title: str
    table: str
    about: str
    note: tuple[str, ...] = ()  # lines of explanation above the table
    orientation: str = "landscape"
    chart: Chart | None = None
    show: tuple[str, ...] = ()  # progress: the prefilled roles shown before the inputs
    by: str = ""  # progress: count by this role; ranking: rank the groups of this role
    rows: str = ""  # crosstab
    columns: str = ""  # crosstab
    order: tuple[str, ...] = ()  # listing: roles, "-" before one for descending
    where: tuple[tuple[str, str], ...] = ()  # (role, meaning): only rows with such a value
    total: str = ""  # listing: the role summed in the total row
    count_title: str = ""  # ranking: header of rows per group; coverage: of distinct dates
    totals: tuple[str, ...] = ()  # ranking: roles summed per group
    ratio: tuple[str, ...] = ()  # ranking: (numerator, denominator), fewer is better
    per: float = 100
    ratio_title: str = ""
    top: int = 0  # top_per_band
    bands: tuple[tuple[str, int, int], ...] = ()  # (name, first grade, last grade)
    then: str = ""  # top_per_band: the tie-break role, more is better
    omit: tuple[str, ...] = ()  # top_per_band: roles not shown
    of: str = ""  # coverage: the choice role whose values are counted


@dataclass(frozen=True)
class Figure:
    """One key figure of the title sheet, as a form declares it."""

    label: str
    count: str
    of: str = ""
    where: tuple[tuple[str, str], ...] = ()
    note: str = ""


class _Roles:
    """The columns of a form by role, for checking what a declaration asks of them."""

    def __init__(self, c: Checker, columns: list, fixed: bool, dropped: set[str]):
        self.c = c
        self.fixed = fixed
        self.dropped = dropped  # roles of columns with mistakes of their own: not checked
        self.by_role: dict[str, list] = {}
        for column in columns:
            if column.role:
                self.by_role.setdefault(column.role, []).append(column)

    def need(self, role: str, key: str, types: tuple[str, ...] = (), prefilled: bool = False):
        """The column of ``role`` (None, with a problem, when the form has none that fits)."""
        found = self.by_role.get(role)
        if not found and role in self.dropped:
            return None
        if not found:
            need = Toml.NEED_TYPES.format(types=Toml.OR.join(types)) if types else \
                Toml.NEED_PREFILLED if prefilled else ""
            self.c.add("spec-missing-role", key, role, role=role, need=need)
            return None
        column = found[0]
        if types and column.type not in types:
            self.c.bad(key, "role-type", role, column=column.key, role=role,
                       types=Toml.OR.join(types))
            return None
        if prefilled and not column.prefilled:
            self.c.bad(key, "role-prefilled", role, column=column.key, role=role)
            return None
        return column

    def scores(self, key: str) -> None:
        if "score" in self.dropped:
            return
        for column in self.by_role.get("score", []):
            if column.type not in NUMBERS:
                self.c.bad(key, "role-type", "score", column=column.key, role="score",
                           types=Toml.OR.join(NUMBERS))
        if not self.by_role.get("score"):
            self.c.add("spec-missing-role", key, "score", role="score",
                       need=Toml.NEED_SCORES)

    def meaning(self, role: str, meaning: str, key: str) -> None:
        column = self.need(role, key, ("choice",))
        if column is not None and not column.meaning(meaning):
            self.c.bad(key, "no-meaning", meaning, column=column.key, role=role,
                       meaning=meaning)


def _text(c: Checker, table: dict, name: str, prefix: str, fields: tuple[str, ...], *,
          required: bool = True) -> str:
    value = c.get(table, name, str, prefix, required=required, default="")
    # A name no text knows is reported when the school's placeholders are filled
    # (spec.fill_placeholders); here, one of the report's in a text that does not take it.
    for field in _PLACEHOLDER.findall(value or ""):
        if field in REPORT_FIELDS and field not in fields:
            allowed = ", ".join(f"{{{f}}}" for f in fields) or Toml.NO_PLACEHOLDERS
            c.bad(f"{prefix}{name}", "placeholder-here", value, field=field, allowed=allowed)
    return (value or "").strip()


def _lines(c: Checker, table: dict, name: str, prefix: str,
           fields: tuple[str, ...]) -> tuple[str, ...]:
    """A text of one line or of several (a list of strings)."""
    if isinstance(table.get(name), list):
        lines = c.strings(table, name, prefix)
        for i, line in enumerate(lines):
            _text(c, {f"{name}[{i + 1}]": line}, f"{name}[{i + 1}]", prefix, fields)
        return tuple(line.strip() for line in lines)
    line = _text(c, table, name, prefix, fields, required=False)
    return (line,) if line else ()


def _role_list(c: Checker, table: dict, name: str, prefix: str, roles: _Roles, *,
               signed: bool = False, types: tuple[str, ...] = ()) -> tuple[str, ...]:
    value = c.strings(table, name, prefix)
    for item in value:
        roles.need(item.removeprefix("-") if signed else item, f"{prefix}{name}", types)
    return value


def _where(c: Checker, table: dict, prefix: str, roles: _Roles) -> tuple[tuple[str, str], ...]:
    raw = c.get(table, "where", dict, prefix, required=False, default={})
    found = []
    for role, meaning in raw.items():
        key = f"{prefix}where.{role}"
        if not isinstance(meaning, str) or not meaning.strip():
            c.bad(key, "meaning-expected", meaning)
            continue
        roles.meaning(role, meaning, key)
        found.append((role, meaning))
    return tuple(found)


def _chart(c: Checker, raw: object, prefix: str) -> Chart | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        c.bad(prefix.rstrip("."), "chart-table", raw)
        return None
    c.unknown(raw, CHART_KEYS, prefix)
    kind = c.get(raw, "type", str, prefix)
    c.one_of(kind, CHART_TYPES, f"{prefix}type")
    top = c.get(raw, "top", int, prefix, required=False, default=0)
    if top is not None and top < 0:
        c.bad(f"{prefix}top", "chart-top", top)
    return Chart(type=kind or "bar", title=_text(c, raw, "title", prefix, CHART_FIELDS,
                                                  required=False),
                 stacked=c.get(raw, "stacked", bool, prefix, required=False, default=False),
                 top=top or 0)


def _bands(c: Checker, raw: dict, prefix: str) -> tuple[tuple[str, int, int], ...]:
    bands = []
    listed = c.get(raw, "bands", list, prefix, default=None)
    if listed == []:
        c.bad(f"{prefix}bands", "no-bands", [])
    for i, band in enumerate(listed or []):
        key = f"{prefix}bands[{i + 1}]."
        if not isinstance(band, dict):
            c.bad(key.rstrip("."), "band-table", band)
            continue
        c.unknown(band, BAND_KEYS, key)
        name = c.get(band, "name", str, key)
        grades = c.get(band, "grades", list, key, default=[])
        if len(grades) != 2 or not all(isinstance(g, int) and not isinstance(g, bool)
                                       and 0 <= g <= 12 for g in grades) \
                or grades[0] > grades[1]:
            c.bad(f"{key}grades", "band-grades", grades)
            continue
        if name:
            bands.append((name.strip(), grades[0], grades[1]))
    return tuple(bands)


def _summary(c: Checker, raw: object, prefix: str, roles: _Roles) -> Summary | None:
    if not isinstance(raw, dict):
        c.bad(prefix.rstrip("."), "table", raw, name="summaries")
        return None
    kind = c.get(raw, "kind", str, prefix)
    c.one_of(kind, KINDS, f"{prefix}kind")
    # With a mistyped kind, only keys no kind knows are reported: one typo, one problem.
    known = KIND_KEYS[kind] if kind in KINDS else sum(KIND_KEYS.values(), ())
    c.unknown(raw, COMMON_KEYS + known, prefix)
    sheet = c.get(raw, "sheet", str, prefix)
    if sheet is not None and (len(sheet) > 31 or SHEET_FORBIDDEN.search(sheet)
                              or sheet.startswith("'") or sheet.endswith("'")):
        c.bad(f"{prefix}sheet", "sheet-name", sheet)
    table = c.get(raw, "table", str, prefix)
    if table is not None and not TABLE_RE.match(table):
        c.bad(f"{prefix}table", "table-name", table)
    orientation = c.get(raw, "orientation", str, prefix, required=False, default="landscape")
    c.one_of(orientation, ("portrait", "landscape"), f"{prefix}orientation")
    common = dict(
        kind=kind or "", sheet=sheet or "", table=table or "",
        title=_text(c, raw, "title", prefix, ()),
        about=_text(c, raw, "about", prefix, ()),
        note=_lines(c, raw, "note", prefix, NOTE_FIELDS),
        orientation=orientation or "landscape",
        chart=_chart(c, raw.get("chart"), f"{prefix}chart."))
    if kind not in KINDS:
        return None
    return Summary(**common, **_KIND_PARSERS[kind](c, raw, prefix, roles))


def _progress(c: Checker, raw: dict, prefix: str, roles: _Roles) -> dict:
    if not roles.fixed:
        c.bad(f"{prefix}kind", "progress-only", "progress")
    for role in ("part", "stage", "deadline"):
        roles.need(role, f"{prefix}kind", prefilled=True)
    roles.meaning("status", "done", f"{prefix}kind")
    roles.need("done_date", f"{prefix}kind", ("date",))
    show = c.strings(raw, "show", prefix)
    for role in show:
        roles.need(role, f"{prefix}show", prefilled=True)
    by = c.get(raw, "by", str, prefix, required=False, default="")
    if by:
        roles.need(by, f"{prefix}by", prefilled=True)
    return dict(show=show, by=by)


def _crosstab(c: Checker, raw: dict, prefix: str, roles: _Roles) -> dict:
    found = {}
    for name in ("rows", "columns"):
        found[name] = c.get(raw, name, str, prefix, default="")
        if found[name]:
            roles.need(found[name], f"{prefix}{name}", ("choice",))
    return found


def _listing(c: Checker, raw: dict, prefix: str, roles: _Roles) -> dict:
    total = c.get(raw, "total", str, prefix, required=False, default="")
    if total:
        roles.need(total, f"{prefix}total", NUMBERS)
    return dict(order=_role_list(c, raw, "order", prefix, roles, signed=True),
                where=_where(c, raw, prefix, roles), total=total)


def _ranking(c: Checker, raw: dict, prefix: str, roles: _Roles) -> dict:
    by = c.get(raw, "by", str, prefix, default="")
    if by:
        roles.need(by, f"{prefix}by")
    roles.scores(f"{prefix}kind")
    ratio = _role_list(c, raw, "ratio", prefix, roles, types=NUMBERS)
    if "ratio" in raw and len(ratio) != 2:
        c.bad(f"{prefix}ratio", "ratio", list(ratio))
    per = c.get(raw, "per", (int, float), prefix, required=False, default=100)
    if per is not None and per <= 0:
        c.bad(f"{prefix}per", "positive", per)
    return dict(by=by, count_title=_text(c, raw, "count_title", prefix, ()),
                totals=_role_list(c, raw, "totals", prefix, roles, types=NUMBERS),
                ratio=ratio, per=per or 100,
                ratio_title=_text(c, raw, "ratio_title", prefix, (), required="ratio" in raw))


def _top_per_band(c: Checker, raw: dict, prefix: str, roles: _Roles) -> dict:
    roles.need("person", f"{prefix}kind")
    roles.need("class", f"{prefix}kind", ("class",))
    roles.scores(f"{prefix}kind")
    top = c.get(raw, "top", int, prefix, default=0)
    if top is not None and top < 1:
        c.bad(f"{prefix}top", "top", top)
    then = c.get(raw, "then", str, prefix, required=False, default="")
    if then:
        roles.need(then, f"{prefix}then", NUMBERS)
    return dict(top=top or 0, bands=_bands(c, raw, prefix), then=then,
                omit=_role_list(c, raw, "omit", prefix, roles))


def _coverage(c: Checker, raw: dict, prefix: str, roles: _Roles) -> dict:
    of = c.get(raw, "of", str, prefix, default="")
    if of:
        roles.need(of, f"{prefix}of", ("choice",))
    roles.need("date", f"{prefix}kind", ("date",))
    return dict(of=of, count_title=_text(c, raw, "count_title", prefix, ()))


_KIND_PARSERS = {"progress": _progress, "crosstab": _crosstab, "listing": _listing,
                 "ranking": _ranking, "top_per_band": _top_per_band, "coverage": _coverage}


def _figure(c: Checker, raw: object, prefix: str, roles: _Roles,
            kinds: list[str]) -> Figure | None:
    if not isinstance(raw, dict):
        c.bad(prefix.rstrip("."), "table", raw, name="figures")
        return None
    c.unknown(raw, FIGURE_KEYS, prefix)
    label = _text(c, raw, "label", prefix, ())
    count = c.get(raw, "count", str, prefix)
    c.one_of(count, COUNTS, f"{prefix}count")
    of = c.get(raw, "of", str, prefix, required=count == "sum", default="")
    if count == "sum" and of:
        roles.need(of, f"{prefix}of", NUMBERS)
    elif of:
        c.bad(f"{prefix}of", "of-only", of)
    if count == "people":
        roles.need("person", f"{prefix}count")
    wanted = {"best": "ranking", "covered": "coverage"}.get(count)
    if count in ("measures", "done", "due", "overdue"):
        wanted = "progress"
    if wanted and (kinds.count(wanted) != 1 if wanted != "progress" else wanted not in kinds):
        c.bad(f"{prefix}count", "one-summary", count, kind=wanted)
    if not label or count not in COUNTS:
        return None
    return Figure(label=label, count=count, of=of or "", where=_where(c, raw, prefix, roles),
                  note=_text(c, raw, "note", prefix, FIGURE_FIELDS, required=False))


def check_roles(c: Checker, columns: list) -> None:
    """A role names one column of a form, except the shared ones (scores)."""
    seen: dict[str, int] = {}
    for i, column in enumerate(columns):
        if column.role and column.role not in SHARED_ROLES:
            if column.role in seen:
                c.add("toml-duplicate", f"columns[{i + 1}].role", column.role,
                      where=Toml.IN.format(place=f"columns[{seen[column.role]}]"))
            seen.setdefault(column.role, i + 1)


def parse_report(c: Checker, data: dict, columns: list, fixed: bool,
                 dropped: set[str]) -> tuple[tuple[Summary, ...], tuple[Figure, ...]]:
    """The summaries and figures a spec declares, checked against its ``columns`` (``dropped``:
    roles of columns left out for mistakes of their own, already reported)."""
    roles = _Roles(c, columns, fixed, dropped)
    summaries = []
    declared = c.get(data, "summaries", list, "", required=False, default=[])
    for i, raw in enumerate(declared):
        parsed = _summary(c, raw, f"summaries[{i + 1}].", roles)
        if parsed:
            summaries.append(parsed)
    # A summary dropped for another mistake still counts for the figures that rely on it.
    kinds = [raw.get("kind") for raw in declared if isinstance(raw, dict)]
    figures = []
    for i, raw in enumerate(c.get(data, "figures", list, "", required=False, default=[])):
        parsed = _figure(c, raw, f"figures[{i + 1}].", roles, kinds)
        if parsed:
            figures.append(parsed)
    return tuple(summaries), tuple(figures)
