"""Whatever a person types into the input cells, the reader answers each filled cell with a
typed value or a problem on that very cell, and never with an exception."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from fill import FIRST
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ibc_xls.blanks.generate import build
from ibc_xls.cells import a1
from ibc_xls.checking.check import check_file
from ibc_xls.checking.validate import Context
from ibc_xls.normalize import is_empty
from ibc_xls.settings.respondents import respondents

TODAY = dt.date(2026, 11, 25)
typed = st.one_of(
    # What can be typed: no control characters (openpyxl refuses them, as Excel does).
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)
    .filter(lambda s: not s.startswith("=")),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["5 а", "31.02.2025", "05/09/2024", "3,5", "1 000", "−2", "5+", " ",
                     "\u200b", "Призер", "школьный"]),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
)


class _Teacher(tuple):
    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return "<a class teacher's blank>"


@pytest.fixture(scope="module")
def teacher(tmp_path_factory, generated_once):
    config, _ = generated_once
    specs = config.specs()
    person = next(p for p in respondents(config, specs) if p.role == "class_teacher")
    blank = tmp_path_factory.mktemp("blank") / "blank.xlsx"
    blank.write_bytes(build(person, config, dt.datetime(2026, 9, 1)))
    ctx = Context.of(config, [person.id], TODAY)
    return _Teacher((config, person, blank, {s.id: s for s in specs}, ctx))


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 2),
       cells=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 50), typed), min_size=1,
                      max_size=12))
def test_every_typed_cell_gives_a_value_or_a_problem(teacher, tmp_path, which, cells):
    _, person, blank, specs, ctx = teacher
    form = person.forms[which % len(person.forms)]
    inputs = [i for i, c in enumerate(form.columns) if c.is_input and not c.default]
    book = openpyxl.load_workbook(blank)
    sheet = book[form.sheet]
    written = {}
    for row, pick, value in cells:
        col = inputs[pick % len(inputs)]
        sheet.cell(FIRST + row, col + 1).value = value
        written[(FIRST + row - 1, col)] = value
    path = tmp_path / "filled.xlsx"
    book.save(path)
    result = check_file(path, specs, ctx, tmp_path)
    if all(is_empty(v) for v in written.values()):
        # Only spaces and invisible characters: the blank came back as it was sent.
        assert [p.code for p in result.problems] == ["empty-workbook"]
        return
    assert form.id in result.forms, [str(p) for p in result.problems]
    records = {r.row: r for r in result.forms[form.id].records}
    flagged = {p.cell for p in result.problems if p.sheet == form.sheet}
    for (row, col), value in written.items():
        column = form.columns[col]
        record = records.get(row + 1)
        got = record.values.get(column.key) if record else None
        if is_empty(value):
            continue
        assert got is not None or a1(row, col) in flagged, (
            f"{a1(row, col)} {value!r}: neither a value nor a problem")
