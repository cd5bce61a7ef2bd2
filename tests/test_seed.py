"""The roadmap form's prefilled rows are the seed roadmap, word for word.

The seed (``tests/data/seed_roadmap.txt``, a copy of the school's roadmap) is parsed here,
independently of ibc_xls: a tab-separated table whose stage rows («I. Подготовительный этап»)
head the measures below them, and whose rows may continue on following lines that begin with a tab.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from ibc_xls.forms.spec import load_specs
from ibc_xls.settings.config import load_config

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "tests" / "data" / "seed_roadmap.txt"  # the roadmap as the school adopted it
HEADER = ["№п/п", "Наименование мероприятия", "Содержание деятельности",
          "Ответственный исполнитель", "Срок реализации"]
STAGE = re.compile(r"^[IVX]+\.\s+\S")
MEASURE_NUMBER = re.compile(r"^(\d+)\.?$")
EXPECTED_PARTS = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3", "3.1", "3.2", "3.3",
                  "3.4", "4.1", "4.2", "5.1"]
PREFILLED_FROM_SEED = ("stage", "measure", "content", "responsible", "due")


def collapse(text: str) -> str:
    return " ".join(text.split())


def join_cell(upper: str, lower: str) -> str:
    """A cell that continues on the next line: a hyphenated word is closed up, else a space."""
    upper, lower = upper.strip(), lower.strip()
    if not upper or not lower:
        return upper or lower
    return upper + lower if upper.endswith("-") else f"{upper} {lower}"


@dataclass
class Measure:
    stage: str
    number: str
    cells: list[str]  # name, content, responsible, due

    @property
    def name(self) -> str:
        return collapse(self.cells[0])

    @property
    def content(self) -> str:
        return collapse(self.cells[1])

    @property
    def responsible(self) -> str:
        return collapse(self.cells[2])

    @property
    def due(self) -> str:
        return collapse(self.cells[3])


def parse_seed(text: str) -> list[Measure]:
    """The seed's measures, in order, each with its stage; fails on any line it does not
    understand."""
    lines = text.splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.split("\t") == HEADER)
    measures: list[Measure] = []
    stage = ""
    for line in lines[header_at + 1:]:
        cells = line.split("\t")
        if not line.strip():
            continue
        assert len(cells) == len(HEADER), f"unexpected seed line: {line!r}"
        first = cells[0].strip()
        if STAGE.match(first):
            assert not any(c.strip() for c in cells[1:]), f"stage row with cells: {line!r}"
            stage = collapse(first)
        elif MEASURE_NUMBER.match(first):
            assert stage, f"measure before any stage: {line!r}"
            measures.append(Measure(stage, MEASURE_NUMBER.match(first).group(1), cells[1:]))
        elif not cells[0]:
            assert measures, f"continuation before any measure: {line!r}"
            upper = measures[-1].cells
            upper[:] = [join_cell(a, b) for a, b in zip(upper, cells[1:], strict=True)]
        else:
            raise AssertionError(f"unexpected seed line: {line!r}")
    return measures


def split_parts(measure: Measure) -> list[tuple[str, str]]:
    """A measure's content split at its part numbers: ``1.1.``, ``2.1``, or the bare measure
    number (``3.``) when the content itself begins as a part."""
    n = re.escape(measure.number)
    marker = re.compile(rf"(?:^|(?<=\s))({n}(?:\.\d+)?)\.?(?=\s)")
    content = measure.content
    found = list(marker.finditer(content))
    assert found and found[0].start() == 0, f"content does not start with a part: {content!r}"
    parts = []
    for this, following in zip(found, [*found[1:], None], strict=True):
        end = following.start() if following else len(content)
        parts.append((this.group(1), content[this.end():end].strip()))
    return parts


@pytest.fixture(scope="module")
def seed_measures() -> list[Measure]:
    # The seed spells the school's name once without its space («СОШ№4»); the templates name
    # the school through {school.name}, which the settings spell «СОШ №4».
    return parse_seed(SEED.read_text(encoding="utf-8").replace("«СОШ№4»", "«СОШ №4»"))


@pytest.fixture(scope="module")
def seed_rows(seed_measures) -> list[dict]:
    """One expected roadmap row per part of every measure."""
    return [{"part": number, "stage": m.stage, "measure": m.name, "content": text,
             "responsible": m.responsible, "due": m.due}
            for m in seed_measures for number, text in split_parts(m)]


@pytest.fixture(scope="module")
def roadmap():
    # The roadmap as the sample school (МОУ «СОШ №4», Томская область) gets it: the template's
    # placeholders filled from its settings.
    config = load_config(REPO / "workbooks")
    (spec,) = [s for s in load_specs(REPO / "templates", config.placeholders())
               if s.id == "roadmap"]
    return spec


def test_parser_reads_the_seed_structure(seed_measures):
    assert [(m.stage, m.number) for m in seed_measures] == [
        ("I. Подготовительный этап", "1"),
        ("II. Основной этап", "2"),
        ("II. Основной этап", "3"),
        ("II. Основной этап", "4"),
        ("III. Заключительный этап", "5"),
    ]


def test_parser_joins_continuation_lines(seed_measures):
    third = seed_measures[2]
    assert third.name == ("Участие зав. ИБЦ МОУ «СОШ №4» в методических встречах с "
                          "библиотекарями общеобразовательных организаций Томской области")
    assert third.due == "ежегодно (по отдельному плану-графику)"
    assert third.responsible == "ТОИПКРО"
    assert "регулирования деятельности информационно-библиотечных центров. 3.1" in third.content


def test_join_cell():
    assert join_cell("плану-", "графику)") == "плану-графику)"
    assert join_cell("общеобразовательных", "организаций") == "общеобразовательных организаций"
    assert join_cell("ТОИПКРО", "") == "ТОИПКРО"
    assert join_cell("", "организаций") == "организаций"


def test_measure_three_begins_with_its_own_part(seed_measures):
    parts = split_parts(seed_measures[2])
    assert [number for number, _ in parts] == ["3", "3.1", "3.2", "3.3", "3.4"]
    assert parts[0][1] == ("Проблемы развития школьных информационно-библиотечных центров "
                           "общеобразовательных учреждений. Нормативно-правовая база "
                           "регулирования деятельности информационно-библиотечных центров.")


def test_seed_parts(seed_rows):
    assert [row["part"] for row in seed_rows] == EXPECTED_PARTS


def test_roadmap_rows_are_exactly_the_seed_parts_in_order(roadmap):
    assert roadmap.rows == "fixed"
    assert [row["part"] for row in roadmap.fixed_rows] == EXPECTED_PARTS
    assert list(roadmap.seed_items) == EXPECTED_PARTS


def test_roadmap_prefilled_columns(roadmap):
    prefilled = [c.key for c in roadmap.columns if c.prefilled]
    assert prefilled[:6] == ["part", *PREFILLED_FROM_SEED]


@pytest.mark.parametrize("index", range(len(EXPECTED_PARTS)),
                         ids=[f"part-{p}" for p in EXPECTED_PARTS])
def test_roadmap_row_is_the_seed_text(roadmap, seed_rows, index):
    row, seed = roadmap.fixed_rows[index], seed_rows[index]
    assert row["part"] == seed["part"]
    for key in PREFILLED_FROM_SEED:
        assert collapse(row[key]) == seed[key], f"part {seed['part']}, {key}"


def test_roadmap_rows_match_the_seed_as_a_whole(roadmap, seed_rows):
    """One assertion over every row, so no row can be added, dropped or reordered."""
    shipped = [{"part": row["part"], **{k: collapse(row[k]) for k in PREFILLED_FROM_SEED}}
               for row in roadmap.fixed_rows]
    assert shipped == seed_rows
