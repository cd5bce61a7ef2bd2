"""Records as a collect holds them: compact, and the same to every reader as a dict."""

from __future__ import annotations

import datetime as dt
import pickle

from ibc_xls.checking.results import (
    FileResult,
    FormResult,
    Record,
    Report,
    ValueTable,
    value_columns,
)


def test_a_record_reads_like_the_dict_it_was_made_from():
    values = {"pupil": "Иванов Пётр", "books": 12, "date": dt.date(2026, 10, 5), "comment": None}
    record = Record(7, values)
    assert record.values == values and list(record.values) == list(values)
    assert record.get("books") == 12 and record.get("nothing", "-") == "-"
    assert record.raw == {} and record.ok
    assert Record(7, dict(values)) == record != Record(8, values)


def test_a_pickled_record_reads_as_before():
    rows = [Record(5 + i, {"pupil": f"Ученик {i}", "books": i}) for i in range(3)]
    bad = Record(9, {"pupil": "Петров", "books": None}, {"pupil": "Петров", "books": "пять"},
                 ok=False)
    back = [pickle.loads(pickle.dumps(r)) for r in [*rows, bad]]
    assert back == [*rows, bad]
    assert [r.values for r in back] == [r.values for r in [*rows, bad]]
    assert [r.row for r in back] == [5, 6, 7, 9]
    assert back[-1].raw == {"pupil": "Петров", "books": "пять"} and not back[-1].ok
    assert back[0].get("books") == 0 and list(back[1].values) == ["pupil", "books"]


def test_value_columns_by_key_with_rows_as_read():
    records = [Record(5, {"a": 1, "b": 2}), Record(6, {"b": 3, "c": 4}),
               Record(7, {"a": None, "b": None}, {"a": "x", "b": "y"}, ok=False)]
    assert list(value_columns(records, ["a", "b", "c"])) == [[1, None, None], [2, 3, None],
                                                             [None, 4, None]]
    assert list(value_columns(records, ["b", "a"], as_read=True)) == [[2, 3, "y"],
                                                                      [1, None, "x"]]
    assert list(value_columns([], ["a"])) == [[]]


def test_released_rows_keep_their_count():
    form = FormResult("diaries", "Читательский дневник", {"pupil": 0},
                      [Record(5 + i, {"pupil": f"Ученик {i}"}) for i in range(4)])
    report = Report([FileResult("сданные/5А.xlsx", "xlsx", forms={"diaries": form})])
    report.release_rows()
    report.release_rows()
    assert form.records == [] and report.files[0].rows() == {"diaries": 4}
    assert report.to_json()["files"][0]["rows"] == {"diaries": 4}


def test_records_shared_across_files_read_as_before():
    table = ValueTable()
    day, moment = dt.date(2027, 1, 10), dt.datetime(2027, 1, 10)
    files = []
    for n in range(3000):  # past the trial: pupils all differ, classes and dates repeat
        values = {"pupil": f"Ученик {n}", "class": "5А", "date": day if n % 2 else moment,
                  "books": n % 7}
        form = FormResult("diaries", "Читательский дневник", {"pupil": 0},
                          [Record(5, values), Record(6, dict(values, books=None),
                                                     {"books": "пять"}, ok=False)])
        before = [pickle.loads(pickle.dumps(r)) for r in form.records]
        form.share(table)
        assert form.records == before
        files.append(form)
    # A date and the same day with a time are not the same value, whichever came first.
    assert [type(f.records[0].get("date")) for f in files[:2]] == [dt.datetime, dt.date]
    assert files[2999].records[1].raw == {"books": "пять"} and not files[2999].records[1].ok
    assert files[2999].records[0].values == {"pupil": "Ученик 2999", "class": "5А",
                                             "date": day, "books": 2999 % 7}


def test_shared_values_keep_their_type_and_rows_of_other_keys_their_values():
    # 1, 1.0 and True are equal as dict keys; a shared value must still be the one read.
    table = ValueTable()
    mixed = [1, 1.0, True, "1", None, dt.date(2027, 1, 10), dt.datetime(2027, 1, 10)]
    for _ in range(2):
        records = [Record(5 + i, {"x": v, "y": "одно"}) for i, v in enumerate(mixed)]
        records.append(Record(20, {"y": "одно", "z": 3}))  # a row with keys of its own
        form = FormResult("f", "Лист", {"x": 0, "y": 1}, records)
        before = [pickle.loads(pickle.dumps(r)) for r in records]
        form.share(table)
        assert form.records == before
        assert [type(r.get("x")) for r in form.records[:-1]] == [type(v) for v in mixed]
        assert form.records[-1].values == {"y": "одно", "z": 3}
