"""What a teacher reads in a blank: an example date the blank accepts, headers that do not break
inside a word or leave the required mark alone, and a description that is not cut off. Read back
from the generated workbooks with openpyxl."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
import subprocess

import openpyxl
import pytest
import xlsxwriter
from fill import one_line
from libreoffice import convert, with_libreoffice

from ibc_xls.forms.layout import header_key
from ibc_xls.problems import CATALOGUE
from ibc_xls.sheets.formats import DEFAULT_FONT, FONT


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
    # Written in lines: a long word breaks at its hyphenation point, with its hyphen.
    assert "В\nудовлетво-\nрительном\nсостоянии" in headers
    assert "В\nнеудовлетво-\nрительном\nсостоянии" in headers
    assert [one_line(h) for h in headers][6:8] == ["В удовлетворительном состоянии",
                                                   "В неудовлетворительном состоянии"]
    assert not [h for h in headers if re.search(r"\w- \w", h)]
    required = [h for h in headers if h.endswith("*")]
    assert required and all(h.endswith("\u00a0*") for h in required), required
    lines = [line for h in headers for line in h.split("\n")]
    assert "*" not in lines and "\u00a0*" not in lines


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


def _pdf_words(pdf) -> list[list[tuple[str, float]]]:
    """Each page's words with their box heights, as pdftotext reads them."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    return [[(html.unescape(m[3]), float(m[2]) - float(m[1])) for m in re.finditer(
        r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', page)]
        for page in xml.split("<page ")[1:]]


@with_libreoffice
@pytest.mark.skipif(shutil.which("pdftotext") is None
                    and os.environ.get("IBC_XLS_REQUIRE_SOFFICE") != "1",
                    reason="pdftotext (poppler-utils) not found; CI installs it")
def test_printed_by_libreoffice_text_is_8_points_or_more_and_whole(generated_once, tmp_path):
    """The blanks printed to PDF by LibreOffice, beside 8-point text at 100 %: no word is
    smaller, the headers' words are whole, and the description is all there."""
    config, outcomes = generated_once
    src = tmp_path / "src"
    src.mkdir()
    calibration = src / "calibration.xlsx"
    wb = xlsxwriter.Workbook(calibration, {"default_format_properties": dict(DEFAULT_FONT)})
    wb.add_worksheet().write_string(0, 0, "Проверка", wb.add_format({"font_name": FONT,
                                                                    "font_size": 8}))
    wb.close()
    blanks = {o.respondent.id: o.path for o in outcomes}
    for name in ("ibc_head", "class_5А"):
        shutil.copyfile(blanks[name], src / f"{name}.xlsx")
    cal, head, teacher = convert([calibration, src / "ibc_head.xlsx", src / "class_5А.xlsx"],
                                 "pdf", tmp_path / "pdf")
    (eight,) = {round(h, 1) for page in _pdf_words(cal) for _, h in page}
    pages = _pdf_words(head) + _pdf_words(teacher)
    smallest = min((h, word) for page in pages for word, h in page)
    points = smallest[0] / eight * 8
    assert smallest[0] >= eight * 0.98, f"{smallest[1]!r} prints at {points:.1f} pt"

    # The form's first page: its title «2.2. Конкурс …» comes first.
    textbooks = next({w for w, _ in page} for page in _pdf_words(teacher)
                     if page[0][0] == "2.2.")
    for word in ("В", "удовлетво-", "неудовлетво-", "рительном", "состоянии", "Прове-", "рено",
                 "Уча-", "щихся", "Утеряно", "испор-", "чено"):
        assert word in textbooks, word
    assert not {"удовлетвори-", "тельном", "неудовлетвор"} & textbooks
    contest = next(s for s in config.specs() if s.id == "reading_contest")
    printed = {w for page in _pdf_words(teacher) for w, _ in page}
    assert set(contest.description.split()) <= printed
