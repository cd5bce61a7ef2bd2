"""Make the sample of returned workbooks in ``workbooks/сданные/``.

Run by hand (LibreOffice's ``soffice`` on PATH; pytest installed, as ``tests/libreoffice.py``
imports it)::

    /work/venv/bin/python scripts/make_sample.py

The sample is what the ИБЦ head of МОУ «СОШ №4» (``workbooks/ibc-xls.toml``, academic year
2025/2026) has in her folder in April 2026, when she collects the report due in April 2026
(period 1 October 2025 – 31 March 2026): her own workbook and those of 12 of the 20 class
teachers, filled as people fill them, so that ``ibc-xls collect -C workbooks --period 2026-04``
runs out of the box from a fresh clone.

What the script does:

1. loads ``workbooks/ibc-xls.toml`` (never writes it) and generates fresh blanks into a
   temporary folder with ``ibc_xls.blanks.generate.generate`` (not into ``workbooks/бланки``);
2. types the values of the tables below into the blanks with openpyxl (``tests/fill.py``);
3. saves them as staff do: most as .xlsx written by openpyxl, some re-saved by a real
   LibreOffice as .xlsx, one as .ods and one as .xls (``tests/libreoffice.py``: one
   ``soffice`` run per target format), under the names staff give them;
4. replaces the contents of ``workbooks/сданные/`` in one step (the new folder is built next to
   it, then swapped in).

Every value is in the tables below; nothing is random. Running the script twice gives the same
rows and the same problems; the files openpyxl writes are even byte-identical (their zip and
document dates are pinned to the hand-in time). The files LibreOffice writes differ in bytes
from run to run (LibreOffice stamps them), which does not matter.

Values are typed as people type them: most dates are real dates, some are text
(«08.10.2025», «15 октября 2025», «12.12.2025 г.»), a score «4,0» with a decimal comma,
a number with a trailing non-breaking space, classes «5 а» and «6A» (Latin A), choices in
lower case or with «е» for «ё» («призер»). Entries before 1 October 2025 and in April 2026
(none after 10 April 2026) show the period filter at work.

Intended problems (``tests/test_sample.py`` asserts exactly these; everything else is clean):

- «3А класс — Новикова Светлана Петровна.xlsx»: a score of 7 (Читательский дневник F8) and a
  pupil without a name (A11);
- «отчёт 7Б.ods»: 352 textbooks checked of 325 issued (Сохранность учебников D6);
- «8А класс — Богданова Надежда Ивановна.xlsx»: the date 31.02.2026 (Сохранность учебников A7);
- «11А.xlsx», warnings only: a date typed month first, 10/14/2025 (Сохранность учебников A5),
  and a formula =8+3 (Читательский дневник D6).

In the roadmap, part 3.3 is left «Не начато»: not overdue as of 31.03.2026 (its deadline in
2025/2026 is 31.08.2026), overdue on a reporting date after it.
Eight class teachers have not returned their workbooks: see ``NOT_RETURNED``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from fill import fill  # noqa: E402  (tests/fill.py)
from libreoffice import ODS, XLS, XLSX, convert  # noqa: E402  (tests/libreoffice.py)

from ibc_xls.blanks.generate import generate  # noqa: E402
from ibc_xls.settings.config import load_config  # noqa: E402

WORKBOOKS = REPO / "workbooks"
RETURNED = WORKBOOKS / "сданные"
TOMSK = dt.timezone(dt.timedelta(hours=7))

# How a returned file was saved: by openpyxl as .xlsx, or re-saved by LibreOffice.
OPENPYXL = "openpyxl .xlsx"
LO_XLSX = "LibreOffice .xlsx"
LO_ODS = "LibreOffice .ods"
LO_XLS = "LibreOffice .xls"
TARGETS = {LO_XLSX: XLSX, LO_ODS: ODS, LO_XLS: XLS}
EXTENSIONS = {OPENPYXL: ".xlsx", LO_XLSX: ".xlsx", LO_ODS: ".ods", LO_XLS: ".xls"}


def d(text: str) -> dt.date:
    """A real date cell, as Excel or LibreOffice store a date typed into a date cell.
    A plain string in the tables below is typed as text instead."""
    return dt.datetime.strptime(text, "%d.%m.%Y").date()


# --- the ИБЦ head: Сидорова Елена Викторовна ---------------------------------------------------

ROADMAP = {
    "1.1": {"status": "Выполнено", "done_date": d("20.05.2024"),
            "result": "Приказ №112-о от 20.05.2024 «О внедрении единой информационно-"
                      "библиотечной модели в МОУ «СОШ №4»»"},
    "1.2": {"status": "Выполнено", "done_date": d("28.05.2024"),
            "result": "Методическое совещание 15.05.2024 (протокол №5), информационное письмо "
                      "учителям от 21.05.2024, консультации руководителей МО"},
    "1.3": {"status": "Выполнено", "done_date": d("24.05.2024"),
            "result": "Дорожная карта по развитию Модели в ИБЦ на 2024–2027 гг., утверждена "
                      "приказом №115-о от 24.05.2024"},
    "1.4": {"status": "Выполнено", "done_date": "30.05.2024",
            "result": "Положение об ИБЦ МОУ «СОШ №4» утверждено приказом №118-о от 30.05.2024"},
    "2.1": {"status": "в работе",
            "comment": "Школьный и муниципальный этапы проведены; региональный этап — "
                       "март–апрель 2026 г."},
    "2.2": {"status": "В работе",
            "comment": "Рейды раз в четверть, итоги конкурса — в мае 2026 г."},
    "2.3": {"status": "В работе", "comment": "Дневники сдали 12 классов, итоги — в мае 2026 г."},
    "3": {"status": "Выполнено", "done_date": d("25.09.2025"),
          "result": "Вебинар ТОИПКРО 25.09.2025, материалы в папке ИБЦ"},
    "3.1": {"status": "Выполнено", "done_date": d("20.11.2025"),
            "result": "Семинар ТОИПКРО 20.11.2025, сертификат участника"},
    "3.2": {"status": "В работе",
            "comment": "Вебинар 18.12.2025 пройден; практикум по АИС «Учебник» — в мае 2026 г."},
    "3.3": {"status": "Не начато"},
    "3.4": {"status": "Перенесено", "comment": "Встреча ТОИПКРО перенесена на октябрь 2026 г."},
    "4.1": {"status": "В работе", "comment": "См. лист «Обмен опытом»"},
    "4.2": {"status": "Выполнено", "done_date": d("12.12.2025"),
            "result": "Удостоверение о повышении квалификации, ТОИПКРО, 36 ч"},
    "5.1": {"status": "В работе", "comment": "Отчёт за апрель 2026 г. формируется"},
}

DOCUMENTS = [
    {"part": "1.1", "doc_type": "Приказ", "number": "112-о", "date": d("20.05.2024"),
     "name": "О внедрении единой информационно-библиотечной модели в МОУ «СОШ №4»"},
    {"part": "1.3", "doc_type": "Дорожная карта", "date": d("24.05.2024"),
     "name": "Дорожная карта по развитию единой информационно-библиотечной модели в ИБЦ "
             "МОУ «СОШ №4» на 2024–2027 годы",
     "comment": "Утверждена приказом №115-о"},
    {"part": "1.3", "doc_type": "Приказ", "number": "115-о", "date": d("24.05.2024"),
     "name": "Об утверждении дорожной карты по развитию единой информационно-библиотечной "
             "модели"},
    {"part": "1.4", "doc_type": "Положение", "date": d("30.05.2024"),
     "name": "Положение об информационно-библиотечном центре МОУ «СОШ №4»",
     "comment": "Утверждено приказом №118-о"},
    {"part": "1.4", "doc_type": "Приказ", "number": "118-о", "date": "30.05.2024",
     "name": "Об утверждении Положения об информационно-библиотечном центре"},
    {"part": "1.1", "doc_type": "Приказ", "number": "203-о", "date": d("01.09.2025"),
     "name": "О проведении школьных конкурсов «Лучший класс по сохранности учебников» и "
             "«Лучший читательский дневник» в 2025/2026 учебном году"},
    {"part": "1.4", "doc_type": "Протокол", "number": "2", "date": "14.11.2025",
     "name": "Протокол методического совета: о ходе реализации дорожной карты ИБЦ за "
             "I четверть"},
    {"part": "1.1", "doc_type": "информационное письмо", "number": "01-12/47",
     "date": d("20.01.2026"),
     "name": "О проведении муниципального этапа регионального конкурса «Учиться читать»",
     "comment": "Письмо Управления образования"},
]

EXPLANATORY = [
    {"date": d("15.05.2024"), "form": "Методическое совещание",
     "audience": "Руководители МО и учителя", "participants": 34,
     "topic": "Единая информационно-библиотечная модель: цели и этапы внедрения"},
    {"date": d("21.05.2024"), "form": "Информационное письмо", "audience": "Учителя",
     "topic": "О порядке работы ИБЦ в рамках Модели"},
    {"date": d("04.09.2025"), "form": "Методическое совещание", "audience": "Руководители МО",
     "participants": 8, "topic": "План работы ИБЦ на 2025/2026 учебный год, конкурсы года"},
    {"date": "16.10.2025", "form": "Индивидуальная консультация", "audience": "учителя",
     "participants": 3, "topic": "Как вести читательский дневник в начальной школе"},
    {"date": d("11.12.2025"), "form": "Информационное письмо", "audience": "Учителя",
     "topic": "Сроки рейдов по сохранности учебников во втором полугодии"},
    {"date": d("22.01.2026"), "form": "Индивидуальная консультация", "audience": "Учителя",
     "participants": 2, "topic": "Как заполнить бланк отчёта ИБЦ (книгу Excel)"},
    {"date": d("02.04.2026"), "form": "Методическое совещание",
     "audience": "Руководители МО и учителя", "participants": 27,
     "topic": "Итоги конкурсов первого полугодия, подготовка апрельского отчёта"},
]

MEETINGS = [
    {"date": d("25.09.2025"),
     "topic": "3. Проблемы развития школьных ИБЦ; нормативно-правовая база",
     "organizer": "ТОИПКРО", "format": "Дистанционно",
     "outcome": "Вебинар; презентация и запись в папке ИБЦ"},
    {"date": d("20.11.2025"), "topic": "3.1. Формирование фонда ИБЦ в современных условиях",
     "organizer": "ТОИПКРО", "format": "очно",
     "outcome": "Региональный семинар, г. Томск; сертификат участника"},
    {"date": d("18.12.2025"), "topic": "3.2. Организация деятельности ИБЦ в АИС «Учебник»",
     "organizer": "тоипкро", "format": "Дистанционно",
     "outcome": "Вебинар, методические рекомендации по учёту фонда учебников"},
    {"date": "12.02.2026", "topic": "Другое",
     "topic_other": "Цифровые ресурсы для чтения: НЭБ и «ЛитРес: Школа»",
     "organizer": "УО", "format": "Очно",
     "outcome": "Совещание школьных библиотекарей района"},
    {"date": d("26.03.2026"), "topic": "3.1. Формирование фонда ИБЦ в современных условиях",
     "organizer": "ТОИПКРО", "format": "Дистанционно",
     "outcome": "Комплектование фонда на 2026/2027 учебный год: заявка на учебники"},
]

PRACTICES = [
    {"date": d("14.11.2025"), "event": "Школьный методический день «Читаем вместе»",
     "level": "Школьный", "form": "Открытое занятие",
     "link": "Конспект занятия на сайте школы"},
    {"date": d("10.12.2025"),
     "event": "Муниципальная конференция школьных библиотекарей «Библиотека — центр "
              "притяжения»",
     "level": "Муниципальный", "form": "Выступление", "link": "Программа конференции, УО"},
    {"date": d("19.02.2026"),
     "event": "Региональный семинар ТОИПКРО «Единая информационно-библиотечная модель: опыт "
              "школ Томской области»",
     "level": "Региональный", "form": "Мастер-класс", "link": "Сертификат ТОИПКРО"},
    {"date": "16.03.2026",
     "event": "Методическая разработка «Читательский дневник: от тетради к проекту»",
     "level": "Всероссийский", "form": "Публикация",
     "link": "Свидетельство о публикации во всероссийском сетевом издании"},
    {"date": d("06.04.2026"),
     "event": "Открытое занятие для 3-х классов «Путешествие в страну книг»",
     "level": "Школьный", "form": "Открытое занятие"},
]

COURSES = [
    {"program": "Школьный библиотекарь: цифровая трансформация информационно-библиотечного "
                "центра",
     "organization": "ЦНППМ Томской области", "hours": 72,
     "start": d("14.10.2024"), "end": d("22.11.2024"), "document": "Удостоверение"},
    {"program": "Организация деятельности информационно-библиотечного центра "
                "общеобразовательной организации",
     "organization": "ТОИПКРО", "hours": "36,0",
     "start": d("01.12.2025"), "end": d("12.12.2025"), "document": "Удостоверение"},
    {"program": "Работа в АИС «Учебник»: учёт и движение фонда учебников",
     "organization": "ТОИПКРО", "hours": 16,
     "start": d("17.02.2026"), "end": "20.02.2026", "document": "сертификат"},
]


# --- class teachers ---------------------------------------------------------------------------
# Compact tables: one tuple a row, its fields named in the KEYS tuples. A trailing dict in a
# row sets further columns (e.g. the class typed differently). None leaves a cell as the blank
# has it, so the class and the teacher's name prefilled by generate stay.

CHECK_KEYS = ("date", "pupils", "issued", "checked", "good", "satisfactory",
              "unsatisfactory", "lost", "score_covers", "score_bookmarks", "score_signed",
              "score_clean", "score_schedule", "comment")
DIARY_KEYS = ("pupil", "books", "entries", "score_completeness", "score_design",
              "score_creativity", "score_regularity")
CONTEST_KEYS = ("pupil", "nomination", "stage", "result", "date")

READING, ILLUSTRATION, REVIEW, TRAILER = ("Художественное чтение", "Книжная иллюстрация",
                                          "Отзыв о прочитанной книге", "Буктрейлер")

CLASS_RETURNS = [
    {"class": "1А", "file": "1А класс — Смирнова Ольга Викторовна", "saved": OPENPYXL,
     "handed_in": "02.04.2026 15:20",
     "textbooks": [
         # date, pupils, issued, checked, good, satisf., unsatisf., lost, covers, bookmarks,
         # signed, clean, schedule, comment
         (d("22.10.2025"), 26, 208, 196, 180, 14, 2, 0, 5, 4, 5, 5, 4,
          "Первый рейд, все учебники в обложках"),
         (d("18.02.2026"), 26, 208, 201, 176, 21, 3, 1, 5, 4, 5, 4, 5, None),
     ],
     "diaries": [
         # pupil, books, entries, completeness, design, creativity, regularity
         ("Алексеев Артём", 5, 5, 4, 4, 3, 4),
         ("Белова Виктория", 7, 7, 5, 5, 4, 5),
         ("Григорьев Матвей", 4, 4, 3, 3, 3, 3),
         ("Данилова Ева", 6, 6, 5, 4, 5, 4, {"comment": "Рисунки к каждой книге"}),
         ("Егоров Тимофей", 3, 3, 3, 2, 2, 3),
     ]},
    {"class": "2Б", "file": "2Б Лебедева", "saved": OPENPYXL, "handed_in": "06.04.2026 19:05",
     "textbooks": [
         ("16.09.2025", 24, 216, 216, 205, 11, 0, 0, 5, 3, 4, 5, 4,
          "Проверка после выдачи учебников"),
         (d("11.12.2025"), 24, 216, 190, 168, 18, 3, 1, 4, 3, 4, 4, 4, None),
         (d("19.03.2026"), 23, 216, 198, 170, 22, 5, 1, 4, 4, 5, 4, 5, "Один ученик выбыл"),
     ],
     "diaries": [
         ("Ананьева Полина", 9, 9, 5, 5, 4, 5),
         ("Борисов Кирилл", 6, 6, 4, 3, 3, 4),
         ("Воронцова Алиса", 11, 12, 5, 5, 5, 5),
         ("Гусев Иван", 5, 5, 3, 3, 2, 3),
         ("Дмитриева София", 8, 8, 4, 5, 4, 4),
         ("Ершов Михаил", 7, 7, 4, 4, 3, 4),
         ("Жукова Варвара", 10, 10, 5, 4, 5, 5),
         ("Захаров Лев", 4, 4, 3, 2, 3, 2),
     ],
     "contest": [
         # pupil, nomination, stage, result, date
         ("Воронцова Алиса", READING, "Школьный", "Победитель", d("17.10.2025")),
         ("Жукова Варвара", ILLUSTRATION, "Школьный", "Участник", d("17.10.2025")),
     ]},
    {"class": "3А", "file": "3А класс — Новикова Светлана Петровна", "saved": OPENPYXL,
     "handed_in": "03.04.2026 14:10",
     "textbooks": [
         (d("14.11.2025"), 26, 234, 220, 196, 19, 4, 1, 5, 4, 5, 4, 5, None),
     ],
     "diaries": [
         ("Иванова Дарья", 14, 15, 5, 5, 5, 5),
         ("Калинин Роман", 9, 9, 4, 4, 3, 4),
         ("Лаптева Милана", 12, 13, 5, 4, 5, 4),
         ("Макаров Глеб", 7, 6, 3, 7, 3, 3),  # MISTAKE: a score of 7 (F8)
         ("Никитина Ульяна", 10, 10, 4, 5, 4, 5),
         ("Орлов Савелий", 6, 6, 3, 3, 3, 3),
         (None, 8, 8, 4, 4, 4, 4),  # MISTAKE: the pupil's name left out (A11)
         ("Панова Кира", 11, 11, 5, 5, 4, 5),
         ("Рябов Ярослав", 5, 5, 3, 2, 3, 3),
         ("Сорокина Мия", 13, 14, 5, 5, 5, 4),
     ],
     "contest": [
         ("Иванова Дарья", READING, "Школьный", "Призёр", d("17.10.2025")),
     ]},
    {"class": "4А", "file": "Волкова 4А отчёт ИБЦ", "saved": LO_XLSX,
     "handed_in": "01.04.2026 16:45",
     "textbooks": [
         (d("23.10.2025"), 28, 280, 268, 241, 22, 4, 1, 5, 5, 5, 4, 5, None),
         (d("20.03.2026"), 28, 280, 272, 238, 27, 5, 2, 5, 4, 5, 4, 5, None),
     ],
     "diaries": [
         ("Абрамова Злата", 16, 18, 5, 5, 5, 5),
         ("Баранов Егор", 10, 10, 4, 4, 4, 4),
         ("Васильев Даниил", 8, 8, 4, 3, 3, 4),
         ("Герасимова Анна", 14, 15, 5, 4, 5, 5),
         ("Денисов Марк", 6, 6, 3, 3, 2, 3),
         ("Ефимова Таисия", 12, 12, 5, 5, 4, 4),
         ("Зуев Никита", 9, 9, 4, 3, 4, 4),
         ("Ильина Вероника", 18, 20, 5, 5, 5, 5),
         ("Козлов Артемий", 7, 7, 3, 3, 3, 4),
         ("Лукина Арина", 11, 11, 4, 5, 4, 4),
         ("Медведев Фёдор", 5, 5, 3, 2, 2, 3),
         ("Назарова Есения", 13, 13, 5, 4, 5, 4),
     ],
     "contest": [
         ("Ильина Вероника", READING, "Школьный", "Победитель", d("17.10.2025")),
         ("Абрамова Злата", ILLUSTRATION, "Школьный", "Призёр", d("17.10.2025")),
         ("Ильина Вероника", READING, "Муниципальный", "Победитель", d("12.12.2025")),
         ("Ильина Вероника", READING, "Региональный", "Призёр", d("20.03.2026")),
     ]},
    {"class": "5А", "file": "5А Васильева", "saved": OPENPYXL, "handed_in": "07.04.2026 21:30",
     "textbooks": [
         ("08.10.2025", 27, "297\u00a0", 285, 250, 28, 5, 2, 5, 4, 4, 4, 5,
          "Двое без обложек", {"class": "5 а"}),
         (d("26.02.2026"), 27, 297, 290, 248, 33, 7, 2, 4, 4, 5, 4, 5, None),
     ],
     "diaries": [
         ("Антонов Всеволод", 15, 16, 5, 4, 4, 5),
         ("Бондаренко Ксения", 21, 22, 5, 5, 5, 5),
         ("Власов Семён", 10, 10, 4, 3, 3, 4, {"class": "5 а"}),
         ("Гаврилова Мирослава", 18, 18, 5, 5, "4,0", 4),
         ("Давыдов Платон", 8, 8, 3, 3, 3, 3),
         ("Ершова Елизавета", 17, 19, 5, 4, 5, 5),
         ("Исаев Тимур", 12, 12, 4, 4, 3, 4),
         ("Карпова Александра", 14, 14, 4, 5, 4, 4),
         ("Лазарев Георгий", 9, 9, 3, 3, 4, 3),
     ],
     "contest": [
         ("Бондаренко Ксения", REVIEW, "школьный", "победитель", "15 октября 2025"),
         ("Бондаренко Ксения", REVIEW, "Муниципальный", "призер", "12.12.2025 г.",
          {"class": "5 а"}),
     ]},
    {"class": "5Б", "file": "5Б класс — Зайцев Дмитрий Олегович", "saved": OPENPYXL,
     "handed_in": "09.04.2026 08:15",
     "textbooks": [
         (d("24.10.2025"), 26, 286, 270, 230, 31, 7, 2, 4, 3, 4, 4, 4,
          "Много учебников без закладок"),
         (d("24.03.2026"), 26, 286, 279, 241, 30, 6, 2, 4, 4, 4, 4, 5, None),
     ],
     "diaries": [
         ("Мельников Богдан", 9, 9, 4, 3, 3, 4),
         ("Осипова Василиса", 16, 17, 5, 5, 4, 5),
         ("Пестов Илья", 7, 7, 3, 3, 2, 3),
         ("Родионова Диана", 13, 13, 5, 4, 4, 4),
         ("Сафронов Кирилл", 11, 11, 4, 4, 3, 4),
         ("Титова Агата", 20, 21, 5, 5, 5, 5),
         ("Уваров Даниил", 6, 6, 3, 2, 3, 2),
     ]},
    {"class": "6А", "file": "6А_Павлова_учебники и дневники", "saved": OPENPYXL,
     "handed_in": "08.04.2026 13:50",
     "textbooks": [
         (d("19.09.2025"), 25, 300, 300, 284, 16, 0, 0, 5, 5, 5, 5, 5,
          "Проверка после выдачи", {"class": "6A"}),
         (d("05.12.2025"), 25, 300, 281, 243, 30, 6, 2, 4, 4, 5, 4, 4, None),
         (d("07.04.2026"), 25, 300, 288, 247, 33, 6, 2, 4, 4, 5, 4, 5, None, {"class": "6A"}),
     ],
     "diaries": [
         ("Андреева Виктория", 19, 20, 5, 5, 4, 5),
         ("Беляков Арсений", 8, 8, 3, 3, 3, 3),
         ("Веселов Максим", 12, 12, 4, 4, 4, 4, {"class": "6A"}),
         ("Голованова Алина", 15, 16, 5, 4, 5, 4),
         ("Дорофеев Степан", 6, 5, 3, 2, 2, 3),
         ("Ермакова Софья", 22, 24, 5, 5, 5, 5),
         ("Жданов Игорь", 10, 10, 4, 3, 3, 4),
         ("Зимина Ольга", 14, 14, 4, 5, 4, 5),
         ("Кириллов Денис", 9, 9, 4, 3, 3, 3),
         ("Логинова Юлия", 17, 17, 5, 4, 4, 5),
         ("Мартынов Вадим", 7, 7, 3, 3, 4, 3),
     ]},
    {"class": "7Б", "file": "отчёт 7Б", "saved": LO_ODS, "handed_in": "06.04.2026 11:05",
     "textbooks": [
         (d("29.10.2025"), 25, 325, 310, 262, 37, 9, 2, 4, 3, 4, 3, 4, None),
         # MISTAKE: 352 checked of 325 issued (D6)
         (d("04.03.2026"), 25, 325, 352, 268, 35, 7, 2, 4, 4, 4, 3, 4, None),
     ],
     "diaries": [
         ("Никифоров Ярослав", 12, 12, 4, 3, 3, 4),
         ("Овчинникова Полина", 25, 26, 5, 5, 5, 5),
         ("Поляков Артур", 8, 7, 3, 2, 3, 3),
         ("Романова Евгения", 18, 18, 5, 4, 4, 5),
         ("Степанов Илья", 10, 10, 4, 4, 3, 4),
         ("Тимофеева Дарина", 15, 15, 4, 5, 5, 4),
     ],
     "contest": [
         ("Овчинникова Полина", TRAILER, "Школьный", "Победитель", d("16.10.2025")),
         ("Овчинникова Полина", TRAILER, "Муниципальный", "Участник", d("13.02.2026")),
     ]},
    {"class": "8А", "file": "8А класс — Богданова Надежда Ивановна", "saved": LO_XLSX,
     "handed_in": "03.04.2026 17:35",
     "textbooks": [
         (d("17.09.2025"), 24, 336, 336, 320, 16, 0, 0, 5, 5, 5, 5, 5,
          "Выдача учебников, проверка обложек"),
         (d("27.11.2025"), 24, 336, 318, 270, 38, 8, 2, 4, 3, 4, 3, 4, None),
         # MISTAKE: 31 February (A7)
         ("31.02.2026", 24, 336, 322, 271, 40, 9, 2, 4, 4, 4, 3, 4, "Рейд после каникул"),
     ],
     "diaries": [
         ("Абрамов Вячеслав", 14, 14, 4, 4, 3, 4),
         ("Быкова Анастасия", 28, 30, 5, 5, 5, 5),
         ("Горбунов Лев", 9, 8, 3, 3, 2, 3),
         ("Дьячкова Маргарита", 20, 21, 5, 4, 5, 4),
         ("Ефремов Антон", 11, 11, 4, 3, 3, 3),
         ("Журавлёва Анна", 17, 17, 5, 5, 4, 5),
         ("Капустин Олег", 6, 6, 2, 2, 2, 3),
         ("Леонова Валерия", 23, 24, 5, 5, 5, 4),
     ]},
    {"class": "9Б", "file": "9Б Михайлов", "saved": LO_XLS, "handed_in": "07.04.2026 10:00",
     "textbooks": [
         (d("12.11.2025"), 22, 308, 296, 250, 36, 8, 2, 4, 3, 5, 4, 4, None),
     ],
     "diaries": [
         ("Максимов Павел", 10, 10, 3, 3, 3, 4),
         ("Некрасова Яна", 24, 24, 5, 5, 4, 5),
         ("Олейников Руслан", 7, 7, 3, 2, 2, 2),
         ("Пахомова Камилла", 16, 16, 4, 4, 5, 4),
         ("Рыбаков Станислав", 12, 11, 4, 3, 3, 4),
     ],
     "contest": [
         ("Некрасова Яна", REVIEW, "Школьный", "Победитель", d("15.10.2025")),
         ("Некрасова Яна", REVIEW, "Муниципальный", "Победитель", d("12.12.2025")),
         ("Некрасова Яна", REVIEW, "Региональный", "Участник", d("20.03.2026")),
     ]},
    {"class": "10А", "file": "10А Беляева (исправленный)", "saved": OPENPYXL,
     "handed_in": "09.04.2026 18:25",
     "textbooks": [
         (d("25.09.2025"), 21, 252, 252, 240, 12, 0, 0, 5, 5, 5, 5, 5, None),
         (d("12.03.2026"), 21, 252, 238, 205, 26, 5, 2, 4, 3, 4, 4, 4, None),
     ],
     "diaries": [
         ("Соколова Алёна", 30, 31, 5, 5, 5, 5),
         ("Тихонов Георгий", 12, 12, 4, 3, 3, 4),
         ("Устинова Вера", 21, 22, 5, 4, 5, 4),
         ("Фролов Матвей", 9, 9, 3, 3, 3, 3),
         ("Харитонова Ирина", 18, 18, 4, 5, 4, 5),
         ("Чернов Александр", 14, 14, 4, 4, 4, 3),
     ],
     "contest": [
         ("Соколова Алёна", READING, "Школьный", "Победитель", d("26.09.2025")),
         ("Соколова Алёна", READING, "Муниципальный", "Призёр", d("12.12.2025")),
         ("Соколова Алёна", READING, "Региональный", "Победитель", "03.04.2026"),
     ]},
    {"class": "11А", "file": "11А", "saved": LO_XLSX, "handed_in": "08.04.2026 09:40",
     "textbooks": [
         # WARNING: a date typed month first, as on an English keyboard layout (A5)
         ("10/14/2025", 20, 240, 231, 200, 25, 4, 2, 4, 4, 5, 4, 4, None),
     ],
     "diaries": [
         ("Шестакова Милена", 26, 27, 5, 5, 4, 5),
         ("Щербаков Владислав", 11, "=8+3", 4, 3, 3, 4),  # WARNING: a formula (D6)
         ("Юдина Ангелина", 19, 19, 5, 4, 5, 4),
         ("Яковлев Пётр", 8, 8, 3, 3, 2, 3),
         ("Афанасьева Лилия", 15, 16, 4, 5, 4, 4),
     ],
     "contest": [
         ("Шестакова Милена", READING, "Школьный", "Участник", d("16.10.2025")),
     ]},
]

# The class teachers who have not handed anything in (respondent ids).
NOT_RETURNED = ["class_1Б", "class_2А", "class_3Б", "class_4Б", "class_6Б", "class_7А",
                "class_8Б", "class_9А"]


# --- the plan of the sample -------------------------------------------------------------------

@dataclass(frozen=True)
class Return:
    """One returned workbook: who, under which file name, how saved, what is in it."""

    respondent: str  # respondent id, as generate names them: "ibc_head", "class_5А"
    stem: str  # the file name staff gave it, without the extension
    saved: str  # OPENPYXL, LO_XLSX, LO_ODS or LO_XLS
    handed_in: dt.datetime
    rows: dict[str, list[dict]] = field(default_factory=dict)  # form id → [{key: value}]
    fixed: dict[str, dict] = field(default_factory=dict)  # roadmap part → {key: value}

    @property
    def file(self) -> str:
        return self.stem + EXTENSIONS[self.saved]


def records(keys: tuple[str, ...], table: list[tuple]) -> list[dict]:
    """Rows of a compact table as {column key: value}; a trailing dict adds columns; None
    leaves the cell as the blank has it."""
    result = []
    for row in table:
        extra = row[-1] if isinstance(row[-1], dict) else {}
        values = row[:-1] if extra else row
        if len(values) != len(keys):
            raise ValueError(f"{len(values)} values for {len(keys)} columns: {row!r}")
        entry = {k: v for k, v in zip(keys, values, strict=True) if v is not None}
        result.append({**entry, **extra})
    return result


def when(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%d.%m.%Y %H:%M").replace(tzinfo=TOMSK)


def plan() -> list[Return]:
    """Every returned workbook of the sample, in the order of the school's roster."""
    head = Return("ibc_head", "Зав. ИБЦ — Сидорова Елена Викторовна", LO_XLSX,
                  when("08.04.2026 16:40"),
                  rows={"documents": DOCUMENTS, "explanatory": EXPLANATORY,
                        "meetings": MEETINGS, "practices": PRACTICES, "courses": COURSES},
                  fixed=ROADMAP)
    teachers = []
    for c in CLASS_RETURNS:
        rows = {"textbooks": records(CHECK_KEYS, c["textbooks"]),
                "diaries": records(DIARY_KEYS, c["diaries"])}
        if c.get("contest"):
            rows["reading_contest"] = records(CONTEST_KEYS, c["contest"])
        teachers.append(Return(f"class_{c['class']}", c["file"], c["saved"],
                               when(c["handed_in"]), rows=rows))
    return [head, *teachers]


# --- making the files -------------------------------------------------------------------------

def _titled(entries, form) -> list[dict]:
    """{column key: value} → {column title: value}, as tests/fill.py types them."""
    return [{form.column(k).title: v for k, v in entry.items()} for entry in entries]


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def pin_dates(path: Path, moment: dt.datetime) -> None:
    """Make an openpyxl-written file reproducible: the document's modified date and every zip
    entry's date become ``moment`` (openpyxl stamps both with the time of saving)."""
    stamp = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    local = moment.timetuple()[:6]
    with zipfile.ZipFile(path) as src:
        parts = [(info, src.read(info)) for info in src.infolist()]
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=local)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            out.writestr(entry, data)
    tmp.replace(path)


def make(folder: Path, blanks: dict[str, Path], specs: dict, work: Path) -> list[Return]:
    """Fill and save every returned workbook of the plan into ``folder``."""
    returns = plan()
    staged: dict[str, list[Path]] = {saved: [] for saved in TARGETS}
    for r in returns:
        rows = {specs[form_id].sheet: _titled(entries, specs[form_id])
                for form_id, entries in r.rows.items()}
        fixed = {}
        if r.fixed:
            roadmap = specs["roadmap"]
            fixed = {roadmap.sheet: {part: {roadmap.column(k).title: v for k, v in e.items()}
                                     for part, e in r.fixed.items()}}
        if r.saved == OPENPYXL:
            path = fill(blanks[r.respondent], folder / r.file, rows, fixed)
            pin_dates(path, r.handed_in)
        else:
            staged[r.saved].append(fill(blanks[r.respondent], work / r.saved / f"{r.stem}.xlsx",
                                        rows, fixed))
    for saved, target in TARGETS.items():
        if staged[saved]:
            convert(staged[saved], target, folder)
    for r in returns:
        moment = r.handed_in.timestamp()
        os.utime(folder / r.file, (moment, moment))
    return returns


def replace_folder(new: Path, target: Path) -> None:
    """Put ``new`` in the place of ``target`` (both in the same parent folder)."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def main() -> None:
    config = load_config(WORKBOOKS)
    specs = {s.id: s for s in config.specs()}
    new = RETURNED.with_name(f".{RETURNED.name}.new")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir()
    try:
        with tempfile.TemporaryDirectory(prefix="ibc-xls-sample-") as tmp:
            work = Path(tmp)
            blanks = {o.respondent.id: o.path for o in generate(config, out=work / "бланки")}
            missing = sorted(set(blanks) - {r.respondent for r in plan()})
            if missing != sorted(NOT_RETURNED):
                raise SystemExit(f"NOT_RETURNED does not match the plan: {missing}")
            returns = make(new, blanks, specs, work)
        replace_folder(new, RETURNED)
    finally:
        shutil.rmtree(new, ignore_errors=True)
    total = 0
    for r in returns:
        size = (RETURNED / r.file).stat().st_size
        total += size
        print(f"{r.file:<48} {r.saved:<18} {size // 1024:>4} КБ  {r.respondent}")
    print(f"{len(returns)} книг, {total / 1024:.0f} КБ → {RETURNED.relative_to(REPO)}/; "
          f"не сдали: {', '.join(NOT_RETURNED)}")


if __name__ == "__main__":
    main()
