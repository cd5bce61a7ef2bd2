"""Judging what was read: every value against its column, every row against the form's rules,
every workbook against the school's configuration, and files against each other. No I/O."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from ibc_xls.checking.results import FileResult, FormResult, Record, saved_order
from ibc_xls.forms.spec import Column, FormSpec, Rule, date_bound
from ibc_xls.normalize import (
    Invalid,
    choice_key,
    class_name,
    clean_text,
    is_empty,
    to_choice,
    to_date,
    to_int,
    to_number,
    to_text,
)
from ibc_xls.problems import Problem, Severity
from ibc_xls.reading.read import FormRead, WorkbookRead
from ibc_xls.settings.respondents import ROLE_TITLES, expected_identities
from ibc_xls.text import Rules


@dataclass(frozen=True)
class Context:
    """What validation knows of the school, and the reporting date: the day as of which dates
    are judged (``--as-of``)."""

    school: str
    year_label: str
    academic_year: int
    classes: frozenset[str]
    respondent_ids: frozenset[str]
    as_of: dt.date
    # respondent id → (role, name, class) from the settings, for the identity checks
    people: dict[str, tuple[str, str, str]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, config, respondent_ids, as_of: dt.date) -> Context:
        ids = frozenset(respondent_ids)
        people = {i: p for i, p in expected_identities(config).items() if i in ids}
        return cls(config.school, config.year_label, config.academic_year,
                   frozenset(c.name for c in config.classes), ids, as_of, people)


class _Later(Invalid):
    """A date after the reporting date: an error only if it is also after the day the
    workbook was saved (see ``validate_form``). Carries what the date parsed to."""

    def __init__(self, day: dt.date, as_of: dt.date, warning: str | None, params: dict):
        super().__init__("future-date", shown=day.strftime("%d.%m.%Y"),
                         as_of=as_of.strftime("%d.%m.%Y"))
        self.day, self.warning, self.parsed_params = day, warning, params


def _d(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def _n(value) -> str:
    return str(value).replace(".", ",")


class _Field:
    """One column's judge: turns a value as read into a typed value or raises Invalid."""

    def __init__(self, column: Column, ctx: Context):
        self.column = column
        self.ctx = ctx
        self.choices = {choice_key(c): c for c in column.choices}
        self.exact = {c: c for c in column.choices if isinstance(c, str)}
        self.lo = self.hi = None
        if column.type == "date":
            self.lo = date_bound(column.min, ctx.academic_year)
            self.hi = date_bound(column.max, ctx.academic_year)
        elif column.type in ("integer", "decimal"):
            self.lo, self.hi = column.min, column.max
        # parse(value) → (typed value, warning code or None, message params); raises Invalid.
        self.parse = {"text": self._text, "choice": self._choice, "class": self._class,
                      "date": self._date, "integer": self._number,
                      "decimal": self._number}[column.type]

    def bounds(self) -> str:
        fmt = _d if self.column.type == "date" else _n
        dates = self.column.type == "date"
        lo = None if self.lo is None else fmt(self.lo)
        hi = None if self.hi is None else fmt(self.hi)
        if lo is not None and hi is not None:
            word = Rules.DATES_BETWEEN if dates else Rules.NUMBERS_BETWEEN
        elif lo is not None:
            word = Rules.DATE_FROM if dates else Rules.NUMBER_FROM
        else:
            word = Rules.DATE_TO if dates else Rules.NUMBER_TO
        return word.format(lo=lo, hi=hi)

    def _text(self, value: object):
        text = clean_text(value) if type(value) is str else to_text(value)
        limit = self.column.max_length
        if limit and len(text) > limit:
            raise Invalid("too-long", limit=limit, length=len(text))
        return text, None, _NONE

    def _choice(self, value: object):
        if value in self.exact:  # as picked from the dropdown
            return self.exact[value], None, _NONE
        try:
            return to_choice(value, self.choices), None, _NONE
        except Invalid as exc:
            exc.params["choices"] = "; ".join(self.column.choices)
            raise

    def _class(self, value: object):
        name = class_name(value)
        if name is None:
            raise Invalid("bad-class")
        if name not in self.ctx.classes:
            raise Invalid("unknown-class", shown=name)
        return name, None, _NONE

    def _date(self, value: object):
        day, warning = (value.date(), None) if type(value) is dt.datetime else to_date(value)
        if (self.lo and day < self.lo) or (self.hi and day > self.hi):
            raise Invalid("date-out-of-range", shown=_d(day), bounds=self.bounds())
        params = {"shown": _d(day)} if warning else _NONE
        if day > self.ctx.as_of:
            raise _Later(day, self.ctx.as_of, warning, params)
        return day, warning, params

    def _number(self, value: object):
        if type(value) is int:  # the common cases, straight from the reader
            number = value
        elif type(value) is float and value.is_integer():
            number = int(value)
        elif self.column.type == "integer":
            number = to_int(value)
        else:
            number = to_number(value)
        if (self.lo is not None and number < self.lo) or (self.hi is not None
                                                          and number > self.hi):
            raise Invalid("out-of-range", shown=_n(number), bounds=self.bounds())
        return number, None, _NONE


_NONE: dict = {}


def _rule_params(rule: Rule, form: FormSpec, missing: list[str] | None = None) -> dict:
    """The parameters of a rule's problem: the form's own message, if it words one, and the
    columns the catalogue's wording names; for ``required_if``, ``missing`` names the fields
    left empty."""
    params = {"rule_message": rule.message}
    if rule.kind == "le":
        params["left"] = " + ".join(Rules.TITLE.format(title=form.column(k).title)
                                    for k in rule.left)
        params["right"] = form.column(rule.right).title
    elif rule.kind == "required_if":
        params["then"] = ", ".join(Rules.TITLE.format(title=form.column(k).title)
                                   for k in missing or rule.then)
        params["field"], params["equals"] = form.column(rule.field).title, rule.equals
    return params


def unique_key(fields: tuple[str, ...], values: dict | Record) -> tuple | None:
    """The identity of a row under a ``unique`` rule on ``fields``, or None when a part is
    missing."""
    parts = [values.get(k) for k in fields]
    if None in parts or "" in parts:
        return None
    return tuple([choice_key(p) if isinstance(p, str) else p for p in parts])


def key_digest(form_id: str, fields: tuple[str, ...], key: tuple) -> int:
    """64 bits of a row's unique key: what a worker sends for the checks across files,
    instead of the key itself (a collect of 10,000 workbooks holds 400,000 of them)."""
    # A column holds one type, so str() of each part tells keys apart as well as repr().
    text = _key_prefix(form_id, fields) + "\x1f".join(map(str, key))
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "little", signed=True)


@lru_cache(maxsize=256)
def _key_prefix(form_id: str, fields: tuple[str, ...]) -> str:
    return repr((form_id, fields))


_FIELDS: dict[tuple[int, int], tuple[FormSpec, Context, dict[str, _Field]]] = {}


def _fields(form: FormSpec, ctx: Context) -> dict[str, _Field]:
    """Every column's judge, made once per form and context: a worker judges many files."""
    cached = _FIELDS.get((id(form), id(ctx)))
    if cached is None or cached[0] is not form or cached[1] is not ctx:
        if len(_FIELDS) > 64:
            _FIELDS.clear()
        cached = _FIELDS[id(form), id(ctx)] = (form, ctx, {c.key: _Field(c, ctx)
                                                           for c in form.columns})
    return cached[2]


def validate_form(read: FormRead, file: str, ctx: Context,
                  saved: dt.date | None = None) -> tuple[FormResult, list[Problem]]:
    """Typed records of one form and the problems in it. A date after the reporting date is
    taken when it is not after ``saved``, the day the workbook was saved: it had come when
    it was typed (the report does not count it); a later one is a mistake (``future-date``)."""
    form = read.form
    fields = _fields(form, ctx)
    plan = {c.key: (c.prefilled, c.required, fields[c.key].parse) for c in form.columns}
    formulas, errors = read.formulas, read.errors
    # Each cell read is its own str object; the same name or text in many rows is sent to
    # the parent, and kept by a collect, once per form instead of once per cell.
    texts: dict[str, str] = {}
    # The first prefilled column (the plan's item number) tells which fixed row a row is.
    fixed_key = next((c.key for c in form.columns if c.prefilled), None)
    fixed = {row[fixed_key]: row for row in form.fixed_rows} if fixed_key else {}
    problems: list[Problem] = []
    result = FormResult(form.id, read.sheet, dict(read.columns))
    seen: dict[tuple, dict[tuple, int]] = defaultdict(dict)
    present_parts = set()
    # Plan rows (a fixed-row form) left wholly empty: one problem for all of them, not one
    # per row and required column.
    untouched: list[tuple[str, int]] = []
    inputs = [c.key for c in form.input_columns if c.key in read.columns] if fixed_key else []
    add = _Adder(file, read)
    for row in read.rows:
        row_problems = add.into = []
        add.row = row.row
        values: dict[str, object] = {}
        template_row = fixed.get(to_text(row.values.get(fixed_key, ""))) if fixed_key else None
        if fixed_key and template_row is None:
            continue  # a row someone added below the plan; the plan's rows are what count
        blank = False
        if template_row:
            present_parts.add(template_row[fixed_key])
            blank = bool(inputs) and all(is_empty(row.values.get(k, "")) for k in inputs)
            if blank:
                untouched.append((template_row[fixed_key], row.row))
        for key, value in row.values.items():
            prefilled, required, parse = plan[key]
            if prefilled:
                expected = template_row.get(key, "") if template_row else ""
                text = to_text(value)
                # Spacing is no change: blanks made by earlier templates wrote the school's
                # name as the seed spelt it («СОШ№4»), the settings may space it.
                if text != expected and "".join(text.split()) != "".join(expected.split()):
                    add("prefilled-changed", key, value)
                values[key] = expected
                continue
            if errors and (row.row, read.columns[key]) in errors:
                values[key] = None  # calamine read it as empty; the value it stood for is lost
                add("cell-error", key, value)
                continue
            if formulas and (row.row, read.columns[key]) in formulas:
                add("formula-value", key, value)
            if value == "" or value is None or (type(value) is str and is_empty(value)):
                values[key] = None
                if required and not blank:
                    add("missing-required", key)
                continue
            try:
                typed, warning, params = parse(value)
            except _Later as exc:
                if saved is None or exc.day > saved:
                    values[key] = None
                    add(exc.code, key, value, **exc.params)
                    continue
                typed, warning, params = exc.day, exc.warning, exc.parsed_params
            except Invalid as exc:
                values[key] = None
                add(exc.code, key, value, **exc.params)
                continue
            if type(typed) is str:  # one object for a text repeated in the form
                typed = texts.setdefault(typed, typed)
            values[key] = typed
            if warning:
                add(warning, key, value, **params)
        for rule in form.rules:
            if rule.kind == "le" and rule.right in values:
                lefts = [values.get(k) for k in rule.left if values.get(k) is not None]
                right = values.get(rule.right)
                if lefts and right is not None:
                    total = lefts[0] if len(lefts) == 1 else sum(lefts)
                    if total > right:
                        add("rule-le", rule.right, row.values.get(rule.right),
                            **_rule_params(rule, form))
            elif rule.kind == "required_if" and values.get(rule.field) == rule.equals:
                # One mistake, one message: at the first empty cell, naming every empty one.
                missing = [k for k in rule.then if k in values and values[k] is None
                           and not form.column(k).required]
                if missing:
                    add("rule-required", missing[0], **_rule_params(rule, form, missing))
            elif rule.kind == "unique":
                key = unique_key(rule.fields, values)
                if key is None:
                    continue
                result.add_key(rule.fields, key_digest(form.id, rule.fields, key), row.row + 1)
                first = seen[rule.fields].setdefault(key, row.row + 1)
                if first != row.row + 1:
                    add("duplicate-row", rule.fields[0], row.values.get(rule.fields[0]),
                        first=first, **_rule_params(rule, form))
        ok = not blank and (not row_problems
                            or not any(p.severity is Severity.ERROR for p in row_problems))
        result.records.append(Record(row.row + 1, values, {} if ok else row.values, ok))
        problems += row_problems
    if untouched:
        first = next((c.key for c in form.input_columns if c.required and c.key in inputs),
                     inputs[0])
        problems.append(Problem(
            "plan-rows-empty", file=file, sheet=read.sheet,
            row=untouched[0][1], col=read.columns[first], field=first,
            params={"parts": ", ".join(p for p, _ in untouched), "count": len(untouched)}))
    for part in fixed:
        if part not in present_parts:
            problems.append(Problem("fixed-row-missing", file=file, sheet=read.sheet,
                                    params={"part": part}))
    return result, problems


class _Adder:
    """Adds a problem about a cell of the current row, named by its column key."""

    def __init__(self, file: str, read: FormRead):
        self.into: list[Problem] = []
        self.file, self.read, self.row = file, read, 0

    def __call__(self, code: str, key: str, value: object = None, **params) -> None:
        self.into.append(Problem(
            code, file=self.file, sheet=self.read.sheet,
            row=self.row, col=self.read.columns[key], field=key, value=value,
            params={"title": self.read.form.column(key).title, **params}))


def _has_input(read: FormRead) -> bool:
    keys = [c.key for c in read.form.input_columns if not c.default and c.key in read.columns]
    return any(not is_empty(row.values[k]) for row in read.rows for k in keys)


def _same(a: str, b: str) -> bool:
    return choice_key(a or "") == choice_key(b or "")


def _identity_mismatches(ident: dict[str, str], ctx: Context) -> list[dict[str, str]]:
    """Where a workbook's respondent code, role, class and name disagree with each other or
    with the settings, each as the parameters of one ``identity-mismatch``."""
    rid, role = ident.get("respondent_id", ""), ident.get("template", "")
    name, class_ = ident.get("respondent", ""), ident.get("class_name", "")
    found = []
    if rid.startswith("class_"):
        if not _same(class_, rid.removeprefix("class_")):
            found.append({"why": "class", "rid": rid, "class_name": class_})
        if role != "class_teacher":
            found.append({"why": "role", "rid": rid, "role": role})
    elif rid in ROLE_TITLES:
        if class_:
            found.append({"why": "role-class", "rid": rid, "title": ROLE_TITLES[rid],
                          "class_name": class_})
        if role != rid:
            found.append({"why": "role", "rid": rid, "role": role})
    person = ctx.people.get(rid)
    if person is not None and not _same(name, person[1]):
        who = Rules.CLASS_TEACHER.format(class_name=person[2]) if person[2] \
            else ROLE_TITLES.get(person[0], person[0])
        found.append({"why": "name", "name": name, "who": who, "expected": person[1]})
    return found


def validate_workbook(read: WorkbookRead, ctx: Context,
                      saved: dt.date | None = None) -> FileResult:
    """Judge one workbook that has been read; ``saved``: the day it was saved, if known (see
    ``validate_form``)."""
    result = FileResult(read.file, read.format, read.identity, problems=list(read.problems))
    ident = read.identity
    if read.forms:
        if not _same(ident.get("school", ""), ctx.school):
            result.problems.append(Problem("wrong-school", file=read.file,
                                           value=ident.get("school"),
                                           params={"found": ident.get("school", ""),
                                                   "expected": ctx.school}))
        if not _same(ident.get("academic_year", ""), ctx.year_label):
            result.problems.append(Problem("wrong-year", file=read.file,
                                           value=ident.get("academic_year"),
                                           params={"found": ident.get("academic_year", "?"),
                                                   "expected": ctx.year_label}))
        if ident.get("respondent_id") not in ctx.respondent_ids:
            result.problems.append(Problem("unknown-respondent", file=read.file,
                                           value=ident.get("respondent_id"),
                                           params={"found": ident.get("respondent", "")}))
        result.problems += [Problem("identity-mismatch", file=read.file, params=params)
                            for params in _identity_mismatches(ident, ctx)]
        if any(p.code == "identity-mismatch" for p in result.problems):
            # Whose book it is cannot be trusted: it counts for nobody, nobody has handed in.
            result.identity = {**ident, "respondent_id": ""}
            return result
        layout_broken = any(p.severity is Severity.ERROR for p in read.problems)
        if not layout_broken and not any(_has_input(f) for f in read.forms):
            result.problems.append(Problem("empty-workbook", file=read.file))
            return result
    for form_read in read.forms:
        form_result, problems = validate_form(form_read, read.file, ctx, saved)
        result.forms[form_read.form.id] = form_result
        result.problems += problems
    return result


# A workbook with one of these is of another school or year: it never replaces another.
NOT_TAKEN = frozenset({"wrong-school", "wrong-year"})


def check_across(results: list[FileResult]) -> None:
    """Rules across files, added to the files they concern: of several workbooks from one
    respondent the latest is used and the others are replaced (a warning, the used one is
    judged on its own), and the same entry (pupil, nomination, stage …) is not in two
    workbooks."""
    by_respondent: dict[str, list[FileResult]] = defaultdict(list)
    for r in results:
        if r.forms and r.identity.get("respondent_id") and \
                not any(p.code in NOT_TAKEN for p in r.problems):
            by_respondent[r.identity["respondent_id"]].append(r)
    replaced = set()
    for group in by_respondent.values():
        if len(group) > 1:
            group.sort(key=saved_order)
            used = group[-1]
            for r in group[:-1]:
                replaced.add(id(r))
                r.problems.append(Problem("workbook-replaced", file=r.file, params={
                    "respondent": r.identity.get("respondent", ""), "used": used.file}))
    first_seen: dict[int, tuple[FileResult, FormResult, int]] = {}
    for r in results:
        if id(r) in replaced:
            continue  # not used: its entries repeat nobody's
        for form_result in r.forms.values():
            rows = None
            for fields, (digests, numbers) in form_result.keys.items():
                for digest, row in zip(digests, numbers, strict=True):
                    where = first_seen.setdefault(digest, (r, form_result, row))
                    if where[0] is r or where[0].identity.get("respondent_id") == \
                            r.identity.get("respondent_id"):
                        continue  # the same file, or a copy of the same respondent's workbook
                    rows = rows or {rec.row: rec for rec in form_result.records}
                    other = next(rec for rec in where[1].records if rec.row == where[2])
                    if unique_key(fields, rows[row]) != unique_key(fields, other):
                        continue  # two keys that happen to share their 64 bits
                    shown = " / ".join(str(rows[row].get(k)) for k in fields)
                    r.problems.append(Problem(
                        "duplicate-entry", file=r.file, sheet=form_result.sheet,
                        row=row - 1, col=form_result.columns[fields[0]], field=fields[0],
                        value=shown, params={"shown": shown, "other": where[0].file,
                                             "sheet": where[1].sheet, "row": where[2]}))
