"""Form specs: the declarative description of every form, loaded from ``templates/*.toml``.

One FormSpec drives generation, reading, validation and the report. The loader checks the spec
files themselves and reports a broken one with its file and key, in Russian.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ibc_xls.forms.identity import IDENTITY_SHEET
from ibc_xls.forms.layout import INSTRUCTIONS_SHEET, LISTS_SHEET
from ibc_xls.forms.summaries import (
    DATA_SHEET_PREFIX,
    DATA_TABLE_PREFIX,
    REPORT_FIELDS,
    REPORT_SHEETS,
    REPORT_TABLES,
    ROLE_RE,
    Figure,
    Summary,
    check_roles,
    parse_report,
)
from ibc_xls.forms.tomlcheck import Checker, bad_value, read_toml
from ibc_xls.problems import IbcError, Problem
from ibc_xls.text import Toml

TYPES = ("text", "integer", "decimal", "date", "choice", "class")
ROW_MODES = ("fixed", "free")
ROLES = ("ibc_head", "class_teacher", "director")
# Symbolic date bounds, resolved against the school's academic year.
DATE_BOUNDS = ("year_start", "year_end")
DEFAULTS = ("respondent_class", "respondent_name")
RULES = ("le", "required_if", "unique")
ORIENTATIONS = ("portrait", "landscape")
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Template texts may name the school through placeholders filled from ibc-xls.toml's [school]
# table at load time: ``{school.name}``; ``{{`` and ``}}`` stand for literal braces.
PLACEHOLDERS = ("school.name", "school.full_name", "school.municipality", "school.region",
                "school.region_genitive")
PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Marks where a long word of a column title may break in the blank's header («удовлетво\u00ad
# рительном»); the title itself, as read and reported, is without it.
SOFT_HYPHEN = "\u00ad"


def _default_templates() -> Path:
    # Installed, the specs ship inside the package; in a source checkout they are the
    # repository's top-level templates/.
    package = Path(__file__).resolve().parent.parent
    packaged = package / "templates"
    return packaged if packaged.is_dir() else package.parent / "templates"


DEFAULT_TEMPLATES = _default_templates()


@dataclass(frozen=True)
class Column:
    """One column of a form: what staff enter, or what the template prefills."""

    key: str
    title: str
    type: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    min: float | str | None = None
    max: float | str | None = None
    max_length: int | None = None
    width: float | None = None
    hint: str = ""
    prefilled: bool = False
    default: str | None = None
    role: str = ""  # what the column means to the report (see ibc_xls.forms.summaries)
    meanings: tuple[tuple[str, tuple[str, ...]], ...] = ()  # meaning → its choice values
    header: str = ""  # the title with its hyphenation points (U+00AD), as the blank writes it

    @property
    def is_input(self) -> bool:
        return not self.prefilled

    def meaning(self, name: str) -> tuple[str, ...]:
        """The choice values that carry a meaning (empty if the column names none)."""
        return next((values for key, values in self.meanings if key == name), ())


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: ``le`` (sum of left <= right), ``required_if``, ``unique``."""

    kind: str
    left: tuple[str, ...] = ()
    right: str = ""
    field: str = ""
    equals: str = ""
    then: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    message: str = ""


@dataclass(frozen=True)
class FormSpec:
    """A form: one sheet of a workbook, its columns, its rows and its rules."""

    id: str
    version: int
    sheet: str
    title: str
    description: str
    seed_items: tuple[str, ...]
    filled_by: tuple[str, ...]
    rows: str
    input_rows: int
    columns: tuple[Column, ...]
    fixed_rows: tuple[dict, ...] = ()
    rules: tuple[Rule, ...] = ()
    orientation: str = "landscape"
    source: str = ""
    summaries: tuple[Summary, ...] = ()
    figures: tuple[Figure, ...] = ()
    _by_key: dict = field(default_factory=dict, compare=False, repr=False)

    def column(self, key: str) -> Column:
        if not self._by_key:
            self._by_key.update((c.key, c) for c in self.columns)
        return self._by_key[key]

    def role(self, name: str) -> Column:
        """The column of a role; the loader made sure that a declaration's roles exist."""
        return next(c for c in self.columns if c.role == name)

    def has_role(self, name: str) -> bool:
        return any(c.role == name for c in self.columns)

    def roles(self, name: str) -> list[Column]:
        """Every column of a shared role (the scores), in column order."""
        return [c for c in self.columns if c.role == name]

    @property
    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.is_input)

    @property
    def row_count(self) -> int:
        """How many data rows the template prepares."""
        return len(self.fixed_rows) if self.rows == "fixed" else self.input_rows


SPEC_KEYS = ("id", "version", "sheet", "title", "description", "seed_items", "filled_by", "rows",
             "input_rows", "orientation", "columns", "fixed_rows", "rules", "summaries",
             "figures")
COLUMN_KEYS = ("key", "title", "type", "required", "choices", "min", "max", "max_length",
               "width", "hint", "prefilled", "default", "role", "meanings")
RULE_KEYS = ("kind", "left", "right", "field", "equals", "then", "fields", "message")


def _bound(c: Checker, col: dict, name: str, ctype: str, prefix: str):
    if name not in col:
        return None
    value = col[name]
    key = f"{prefix}{name}"
    if ctype == "date":
        # TOML's datetime is a date too in Python; a bound is a whole day.
        is_date = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
        if is_date or value in DATE_BOUNDS:
            return value.isoformat() if is_date else value
        c.bad(key, "date-bound", value, allowed=", ".join(DATE_BOUNDS))
        return None
    if ctype in ("integer", "decimal") and isinstance(value, int | float) \
            and not isinstance(value, bool):
        if ctype == "integer" and not float(value).is_integer():
            c.bad(key, "whole-bound", value)
            return None
        return value
    c.bad(key, "no-such-bound", value, type=ctype)
    return None


def _after(lo, hi) -> bool:
    """Whether bound ``lo`` lies above ``hi``, where that is known without the school's year."""
    if lo is None or hi is None:
        return False
    if isinstance(lo, int | float) and isinstance(hi, int | float):
        return lo > hi
    if (lo in DATE_BOUNDS) != (hi in DATE_BOUNDS):
        return False
    if lo in DATE_BOUNDS:
        return DATE_BOUNDS.index(lo) > DATE_BOUNDS.index(hi)
    return lo > hi  # ISO dates order as text


def _column(c: Checker, col: dict, prefix: str) -> Column | None:
    if not isinstance(col, dict):
        c.bad(prefix.rstrip("."), "table", col, name="columns")
        return None
    c.unknown(col, COLUMN_KEYS, prefix)
    key = c.get(col, "key", str, prefix)
    if key is not None and not KEY_RE.match(key):
        c.bad(f"{prefix}key", "name", key)
    title = c.get(col, "title", str, prefix)
    ctype = c.get(col, "type", str, prefix, required=False, default="text")
    c.one_of(ctype, TYPES, f"{prefix}type")
    choices = c.strings(col, "choices", prefix, required=ctype == "choice")
    if ctype != "choice" and ctype in TYPES and choices:
        c.bad(f"{prefix}choices", "choices-only")
    if len(set(choices)) != len(choices):
        c.bad(f"{prefix}choices", "choices-repeated", list(choices))
    lo = hi = None
    if ctype in TYPES:
        lo, hi = _bound(c, col, "min", ctype, prefix), _bound(c, col, "max", ctype, prefix)
    if _after(lo, hi):
        c.bad(f"{prefix}min", "min-over-max", lo)
    default = c.get(col, "default", str, prefix, required=False)
    c.one_of(default, DEFAULTS, f"{prefix}default")
    width = c.get(col, "width", (int, float), prefix, required=False)
    if width is not None and not 2 <= width <= 120:
        c.bad(f"{prefix}width", "width", width)
    max_length = c.get(col, "max_length", int, prefix, required=False)
    if max_length is not None and not 1 <= max_length <= 32767:
        c.bad(f"{prefix}max_length", "max-length", max_length)
    role = c.get(col, "role", str, prefix, required=False, default="")
    if role and not ROLE_RE.match(role):
        c.bad(f"{prefix}role", "name", role)
    meanings = _meanings(c, col, prefix, ctype, choices, title or key)
    if key is None or title is None or ctype not in TYPES:
        return None
    return Column(
        key=key, title=title.replace(SOFT_HYPHEN, "").strip(), header=title.strip(), type=ctype,
        required=c.get(col, "required", bool, prefix, required=False, default=False),
        choices=choices, min=lo, max=hi, max_length=max_length,
        width=width, hint=c.get(col, "hint", str, prefix, required=False, default=""),
        prefilled=c.get(col, "prefilled", bool, prefix, required=False, default=False),
        default=default, role=role or "", meanings=meanings,
    )


def _meanings(c: Checker, col: dict, prefix: str, ctype: str, choices: tuple[str, ...],
              column: str | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``meanings = { done = "Выполнено", award = ["Призёр", "Победитель"] }``: choice values
    named for the report, each checked against the column's choices."""
    raw = c.get(col, "meanings", dict, prefix, required=False, default={})
    if ctype not in TYPES:
        return ()  # the column is dropped for its type: one typo, one problem
    if raw and ctype != "choice":
        c.bad(f"{prefix}meanings", "meanings-only")
        return ()
    found = []
    for name, value in raw.items():
        key = f"{prefix}meanings.{name}"
        if not ROLE_RE.match(name):
            c.bad(key, "meaning-name", name)
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values \
                or not all(isinstance(v, str) and v.strip() for v in values):
            c.bad(key, "meaning-value", value)
            continue
        for v in values:
            if v not in choices:
                c.add("spec-bad-meaning", key, v, column=column or "")
        found.append((name, tuple(values)))
    return tuple(found)


def _rule(c: Checker, rule: dict, prefix: str, keys: set[str]) -> Rule | None:
    if not isinstance(rule, dict):
        c.bad(prefix.rstrip("."), "table", rule, name="rules")
        return None
    c.unknown(rule, RULE_KEYS, prefix)
    kind = c.get(rule, "kind", str, prefix)
    c.one_of(kind, RULES, f"{prefix}kind")
    r = Rule(
        kind=kind or "",
        left=c.strings(rule, "left", prefix),
        right=c.get(rule, "right", str, prefix, required=kind == "le", default=""),
        field=c.get(rule, "field", str, prefix, required=kind == "required_if", default=""),
        equals=c.get(rule, "equals", str, prefix, required=kind == "required_if", default=""),
        then=c.strings(rule, "then", prefix, required=kind == "required_if"),
        fields=c.strings(rule, "fields", prefix, required=kind == "unique"),
        message=c.get(rule, "message", str, prefix, required=False, default=""),
    )
    if kind == "le" and not r.left:
        c.add("toml-missing-key", f"{prefix}left")
    for attr in ("left", "right", "field", "then", "fields"):
        value = getattr(r, attr)
        for name in value if isinstance(value, tuple) else (value,):
            if name and name not in keys:
                c.bad(f"{prefix}{attr}", "rule-column", name, name=name)
    return r if kind in RULES else None


def parse_spec(data: dict, source: str) -> tuple[FormSpec | None, list[Problem]]:
    """Build a FormSpec from parsed TOML; return it (or None) and the problems found."""
    c = Checker(source)
    c.unknown(data, SPEC_KEYS, "")
    form_id = c.get(data, "id", str, "")
    if form_id is not None and not KEY_RE.match(form_id):
        c.bad("id", "name", form_id)
    version = c.get(data, "version", int, "")
    if version is not None and version < 1:
        c.bad("version", "version", version)
    sheet = c.get(data, "sheet", str, "")
    if sheet is not None and (len(sheet) > 31 or SHEET_FORBIDDEN.search(sheet)
                              or sheet.startswith("'") or sheet.endswith("'")):
        c.bad("sheet", "sheet-name", sheet)
    title = c.get(data, "title", str, "")
    rows = c.get(data, "rows", str, "")
    c.one_of(rows, ROW_MODES, "rows")
    filled_by = c.strings(data, "filled_by", "", required=True)
    for role in filled_by:
        c.one_of(role, ROLES, "filled_by")
    orientation = c.get(data, "orientation", str, "", required=False, default="landscape")
    c.one_of(orientation, ORIENTATIONS, "orientation")
    input_rows = c.get(data, "input_rows", int, "", required=rows == "free", default=0)
    if rows == "free" and input_rows is not None and not 1 <= input_rows <= 5000:
        c.bad("input_rows", "input-rows", input_rows)

    columns: list[Column] = []
    raw_columns = c.get(data, "columns", list, "", default=[])
    for i, col in enumerate(raw_columns):
        parsed = _column(c, col, f"columns[{i + 1}].")
        if parsed:
            columns.append(parsed)
    if not raw_columns and "columns" in data:
        c.bad("columns", "no-columns", [])
    for attr, what in (("key", "key"), ("title", "title")):
        seen: dict[str, int] = {}
        for i, col in enumerate(columns):
            value = getattr(col, attr).casefold()
            if value in seen:
                c.add("toml-duplicate", f"columns[{i + 1}].{what}", getattr(col, attr),
                      where=Toml.IN.format(place=f"columns[{seen[value]}]"))
            seen.setdefault(value, i + 1)
    # A column dropped for another mistake still counts when a rule names it.
    keys = {col["key"] for col in raw_columns
            if isinstance(col, dict) and isinstance(col.get("key"), str)}
    prefilled = {col.key for col in columns if col.prefilled}
    if columns and not any(col.is_input for col in columns):
        c.bad("columns", "no-input")

    fixed_rows: list[dict] = []
    raw_fixed = c.get(data, "fixed_rows", list, "", required=rows == "fixed", default=[])
    if rows == "free" and raw_fixed:
        c.bad("fixed_rows", "fixed-rows-only")
    if rows == "fixed" and "fixed_rows" in data and not raw_fixed:
        c.bad("fixed_rows", "no-fixed-rows", [])
    for i, row in enumerate(raw_fixed):
        prefix = f"fixed_rows[{i + 1}]."
        if not isinstance(row, dict):
            c.bad(prefix.rstrip("."), "table", row, name="fixed_rows")
            continue
        c.unknown(row, sorted(prefilled), prefix)
        for k in sorted(prefilled - row.keys()):
            c.add("toml-missing-key", f"{prefix}{k}")
        for k, v in row.items():
            if not isinstance(v, str):
                c.bad(f"{prefix}{k}", "string", v)
        fixed_rows.append({k: v for k, v in row.items() if isinstance(v, str)})
    if rows == "free" and prefilled:
        c.bad("columns", "prefilled-only")

    rules = []
    for i, rule in enumerate(c.get(data, "rules", list, "", required=False, default=[])):
        parsed = _rule(c, rule, f"rules[{i + 1}].", keys)
        if parsed:
            rules.append(parsed)

    check_roles(c, columns)
    # A column dropped for another mistake still has its role for the summaries.
    dropped = {col["role"] for col in raw_columns if isinstance(col, dict)
               and isinstance(col.get("role"), str)} - {col.role for col in columns}
    summaries, figures = parse_report(c, data, columns, rows == "fixed", dropped)

    if c.problems:
        return None, c.problems
    return FormSpec(
        id=form_id, version=version, sheet=sheet, title=title.strip(),
        description=c.get(data, "description", str, "", required=False, default=""),
        seed_items=c.strings(data, "seed_items", ""), filled_by=filled_by, rows=rows,
        input_rows=input_rows or 0, columns=tuple(columns), fixed_rows=tuple(fixed_rows),
        rules=tuple(rules), orientation=orientation, source=source, summaries=summaries,
        figures=figures,
    ), []


# Sheets every workbook has besides the forms; a form may not take their names.
RESERVED_SHEETS = (INSTRUCTIONS_SHEET, LISTS_SHEET, IDENTITY_SHEET)


def _fill_text(text: str, values: dict[str, str] | None, key: str, source: str,
               problems: list[Problem], settings: str) -> str:
    # The report's texts keep its own placeholders ({period}…), filled when it is written.
    keep = REPORT_FIELDS if key.startswith(("summaries", "figures")) else ()

    def one(match: re.Match) -> str:
        whole, name = match.group(0), match.group(1)
        if name is None:
            return whole[0] if values is not None else whole
        if name.strip() in keep:
            return whole
        if name.strip() not in PLACEHOLDERS:
            known = PLACEHOLDERS + keep
            problems.append(Problem("spec-unknown-placeholder", file=source, field=key,
                                    value=whole, params={
                                        "key": key, "placeholder": whole,
                                        "allowed": ", ".join(f"{{{p}}}" for p in known)}))
            return whole
        if values is None:
            return whole
        value = values.get(name.strip(), "")
        # One problem per setting and file: the first key that needs it is enough to say so.
        if not value and not any(p.code == "spec-placeholder-unset" and p.file == source
                                 and p.value == whole for p in problems):
            problems.append(Problem("spec-placeholder-unset", file=source, field=key,
                                    value=whole, params={"key": key, "placeholder": whole,
                                                         "setting": name.strip(),
                                                         "settings": settings,
                                                         "why": name.strip()}))
        return value

    return PLACEHOLDER_RE.sub(one, text) if "{" in text or "}" in text else text


def fill_placeholders(data, values: dict[str, str] | None, source: str, problems: list[Problem],
                      key: str = "", settings: str = ""):
    """``data`` (parsed TOML) with every placeholder in its texts replaced by its value from
    ``values`` (the settings of the file ``settings``); with ``values`` None the texts are
    kept and only the names are checked."""
    if isinstance(data, str):
        return _fill_text(data, values, key, source, problems, settings)
    if isinstance(data, dict):
        return {k: fill_placeholders(v, values, source, problems, f"{key}.{k}" if key else k,
                                     settings)
                for k, v in data.items()}
    if isinstance(data, list):
        return [fill_placeholders(v, values, source, problems,
                                  f"{key}[{i + 1}]" if isinstance(v, dict) else key, settings)
                for i, v in enumerate(data)]
    return data


def load_specs(folder: Path, values: dict[str, str] | None = None,
               settings: Path | None = None) -> list[FormSpec]:
    """Load every ``*.toml`` spec in ``folder`` (sorted by file name); raise IbcError listing
    every problem in every file. ``values`` fills the placeholders (see PLACEHOLDERS) from the
    settings file ``settings``, which a placeholder without its value names; without
    ``values`` they stay as written."""
    problems: list[Problem] = []
    specs: list[FormSpec] = []
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise IbcError(Problem("spec-empty", file=str(folder)))
    for path in files:
        name = str(path)
        try:
            data = read_toml(path)
        except IbcError as exc:
            problems += exc.problems
            continue
        filled: list[Problem] = []
        data = fill_placeholders(data, values, name, filled, settings=str(settings or ""))
        spec, found = parse_spec(data, name)
        problems += filled + found
        if filled:
            continue
        if spec:
            specs.append(spec)
    for attr in ("id", "sheet"):
        seen: dict[str, str] = {}
        for spec in specs:
            value = getattr(spec, attr)
            key = value.casefold()
            if key in seen:
                problems.append(Problem("toml-duplicate", file=spec.source, field=attr,
                                        value=value, params={"key": attr,
                                                             "where": Toml.IN.format(
                                                                 place=seen[key])}))
            seen.setdefault(key, spec.source)
    for spec in specs:
        if spec.sheet.casefold() in {s.casefold() for s in RESERVED_SHEETS}:
            problems.append(bad_value(spec.source, "sheet", "reserved-sheet", spec.sheet))
    problems += _report_names(specs)
    if problems:
        raise IbcError(problems)
    return specs


def _report_names(specs: list[FormSpec]) -> list[Problem]:
    """Every declared summary takes its own report sheet and Excel table, none of the
    report's own."""
    problems = []
    for attr, own, prefix in (("sheet", REPORT_SHEETS, DATA_SHEET_PREFIX),
                              ("table", REPORT_TABLES, DATA_TABLE_PREFIX)):
        seen: dict[str, str] = {}
        for spec in specs:
            for i, summary in enumerate(spec.summaries):
                value, key = getattr(summary, attr), f"summaries[{i + 1}].{attr}"
                folded = value.casefold()
                if folded in {o.casefold() for o in own} or folded.startswith(prefix.casefold()):
                    problems.append(bad_value(
                        spec.source, key, "report-sheet" if attr == "sheet" else "report-table",
                        value, own=", ".join(own), prefix=prefix))
                elif folded in seen:
                    problems.append(Problem("toml-duplicate", file=spec.source, field=key,
                                            value=value, params={"key": key,
                                                                 "where": Toml.IN.format(
                                                                     place=seen[folded])}))
                seen.setdefault(folded, f"{spec.source}, {key}")
    return problems


def date_bound(bound: str | None, academic_year: int) -> dt.date | None:
    """A date column's bound as a date: ISO text, or ``year_start``/``year_end`` of the
    academic year that starts on 1 September of ``academic_year``."""
    if bound is None:
        return None
    if bound == "year_start":
        return dt.date(academic_year, 9, 1)
    if bound == "year_end":
        return dt.date(academic_year + 1, 8, 31)
    return dt.date.fromisoformat(bound)
