"""What a teacher reads in a blank: an example date the blank accepts, headers that do not break
inside a word or leave the required mark alone, and a description that is not cut off. Read back
from the generated workbooks with openpyxl."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest

from ibc_xls.layout import header_key
from ibc_xls.problems import CATALOGUE


@pytest.fixture(scope="module")
def teacher(generated_once):
    config, outcomes = generated_once
    path = next(o.path for o in outcomes if o.respondent.id == "class_5А")
    return config, openpyxl.load_workbook(path)


def test_the_example_date_lies_in_the_academic_year(teacher):
    config, book = teacher
    text = "\n".join(str(c) for row in book["Инструкция"].iter_rows(values_only=True)
                     for c in row if c)
    (example,) = re.findall(r"например (\d\d\.\d\d\.\d{4})", text)
    day = dt.datetime.strptime(example, "%d.%m.%Y").date()
    assert config.year_start <= day <= config.year_end, example
    assert "05.09.2025" not in CATALOGUE["bad-date"].template


def test_headers_keep_words_and_the_required_mark_whole(teacher):
    _, book = teacher
    ws = book["Сохранность учебников"]
    headers = [c.value for c in ws[4] if c.value]
    assert "В удовлетворительном состоянии" in headers
    assert "В неудовлетворительном состоянии" in headers
    assert not [h for h in headers if re.search(r"\w- \w", h)]
    required = [h for h in headers if h.endswith("*")]
    assert required and all(h.endswith("\u00a0*") for h in required), required


def test_headers_of_earlier_blanks_still_match():
    assert header_key("В удовлетвори- тельном состоянии") == \
        header_key("В удовлетворительном состоянии")
    assert header_key("Дата проверки *") == header_key("Дата проверки\u00a0*")


def test_the_description_spans_the_form_and_wraps(teacher):
    _, book = teacher
    ws = book["Учиться читать"]
    last = ws.max_column
    assert f"A3:{openpyxl.utils.get_column_letter(last)}3" in {str(r) for r in
                                                               ws.merged_cells.ranges}
    assert ws["A3"].value.startswith("По строке на каждого участника")
    assert ws["A3"].alignment.wrap_text
