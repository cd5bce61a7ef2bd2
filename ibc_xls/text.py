"""The catalogue of Russian text a user reads that is not a problem: the command line's lines
and help, the report's captions and labels, the blanks' instructions.

Problems (something wrong with the input, with a code) live in ``problems.CATALOGUE``; Click's
own words in ``cli_ru``. Each entry here is a template with named fields, filled where the text
is shown: ``Cli.REPORT_WRITTEN.format(path=...)``. Sections are classes, one per reader's
place, so that a misspelt name fails at import rather than printing a wrong line.
"""

from __future__ import annotations

from types import MappingProxyType as Frozen


class Help:
    """``--help``: metavars, option help, the defaults' wording."""

    OPTIONS = "[ПАРАМЕТРЫ]"
    SUBCOMMAND = "КОМАНДА [АРГУМЕНТЫ]..."
    FOLDER = "ПАПКА"
    OPTIONAL_FOLDER = "[ПАПКА]"
    SOURCES = "[ПАПКА или ФАЙЛ]..."
    DATE = "ДД.ММ.ГГГГ"
    PERIOD = "ГГГГ-ММ"
    REPORT_FILE = "ФАЙЛ.xlsx"
    ROLLUP_FILE = "СВОДКА.xlsx"
    VERSION = "Показать версию и выйти."
    FOLDER_HELP = "Рабочая папка школы (где лежит ibc-xls.toml). По умолчанию — текущая."
    SETTINGS_FOLDER = ("Рабочая папка школы (где лежит ibc-xls.toml). По умолчанию — ближайшая "
                       "папка с ibc-xls.toml: первая из названных или текущая, либо выше неё.")
    AS_OF = ("Отчётная дата: на этот день оцениваются сроки дорожной карты и даты «в будущем», "
             "так что повторный запуск даёт те же цифры. По умолчанию — {default}.")
    AS_OF_VALIDATE = ("сегодня, а если учебный год бланков уже закончился — его последний день "
                      "(31 августа)")
    AS_OF_REVIEW = ("как у validate: сегодня, а если учебный год бланков уже закончился — его "
                    "последний день")
    AS_OF_COLLECT = "последний день периода, а если он ещё не наступил — сегодня"
    JSON_RESULT = "Вывести результат в формате JSON (для других программ)."
    JSON_SUMMARY = "Вывести итог в формате JSON (для других программ)."
    INIT_OFFICE = ("Создать рабочую папку управления образования (для ibc-xls rollup), "
                   "а не школы.")
    GENERATE_OUT = "Куда записать бланки. По умолчанию — папка бланков из настроек."
    REVIEW_OUT = "Куда записать копии. По умолчанию — папка «на исправление» из настроек."
    COLLECT_OUTPUT = ("Куда записать отчёт. По умолчанию — папка отчётов из настроек. Сданную "
                      "книгу, бланк, шаблон или файл настроек отчёт не заменит.")
    COLLECT_PERIOD = ("Отчётный период: 2026-04 — с 1 октября 2025 по 31 марта 2026, "
                      "2026-10 — с 1 апреля по 30 сентября 2026. По умолчанию — ближайший "
                      "отчёт.")
    FROM = "Начало своего периода (вместе с --to)."
    TO = "Конец своего периода (вместе с --from)."
    COLLECT_STRICT = "Код выхода 1, если в книгах есть ошибки (отчёт всё равно пишется)."
    ROLLUP_OUTPUT = "Куда записать сводку. По умолчанию — папка сводок из настроек."
    ROLLUP_PERIOD = ("Отчётный период: 2026-04 — отчёты за апрель 2026 (1 октября 2025 – "
                     "31 марта 2026), 2026-10 — за октябрь. По умолчанию — последний период, "
                     "за который есть отчёт.")
    ALL_PERIODS = ("Учесть и отчёты прошлых периодов: листы «Динамика — …» покажут каждый "
                   "показатель по школам и периодам.")
    ROLLUP_STRICT = "Код выхода 1, если есть ошибки (сводка всё равно пишется)."


class Cli:
    """The lines the commands print."""

    FAILED = "Ошибка. {problem}"
    ERROR = "ошибка"
    WARNING = "замечание"
    PROBLEM_LINE = "  {mark}: {problem}"
    # init
    CREATED = "Создано: {path}"
    KEPT = "Уже есть, не изменено: {path}"
    INIT_OFFICE_NEXT = ("Откройте {config}, впишите управление и школы, положите отчёты школ в "
                        "папку «полученные» и выполните «ibc-xls rollup».")
    INIT_NEXT = ("Откройте {config}, впишите свою школу, классы и учителей, затем выполните "
                 "«ibc-xls generate».")
    INIT_TEMPLATES = ("Тексты форм, списки и заголовки можно изменить в шаблонах в папке "
                      "{templates}; название школы и региона они берут из ibc-xls.toml.")
    # generate
    BLANK_LINE = "{name}: {status}"
    BLANK_STATUS = Frozen({
        "created": "создана",
        "updated": "обновлена",
        "unchanged": "без изменений",
        "kept": "НЕ перезаписана: файл изменён после создания (возможно, уже заполнен)",
    })
    GENERATED = "Готово: книг {total}, записано {written}, в папке {folder}."
    NOT_OVERWRITTEN = ("Не перезаписано книг: {kept}. Если они пустые и их можно заменить, "
                       "удалите их и запустите команду ещё раз.")
    # validate
    NOTHING_TO_CHECK = "Книг для проверки не найдено."
    FILE_ERRORS = "ошибок: {count}"
    FILE_WARNINGS = "замечаний: {count}"
    FILE_LINE = "{file} — {status}{counts}"
    FILE_COUNTS = " ({counts})"
    ON_SHEET = "лист «{sheet}»"
    IN_CELL = "ячейка {cell}"
    PROBLEM_AT = "  {mark}: {where}: {message}"
    PROBLEM_NOWHERE = "  {mark}: {message}"
    REPLACED_FILES = ", заменено {count}"
    CHECKED = ("Итого: книг {files}, принято {accepted}, с ошибками {with_errors}, "
               "не принято {refused}{replaced}; ошибок {errors}, замечаний {warnings}. "
               "Отчётная дата: {as_of:%d.%m.%Y}.")
    # review
    REVIEW_COUNTS = "ошибок {errors}, замечаний {warnings}"
    REVIEW_WHO = " ({who})"
    REVIEW_WRITTEN = "{copy}: {status}{who}; {counts}."
    REVIEW_LOCKED = "{copy}: {status}{who}. {reason}"
    REVIEW_REFUSED = "{file}: {status}{who}. {reason} Свяжитесь с респондентом."
    REVIEW_REPLACED = "{file}: {status} «{reason}»."
    REVIEW_COPIES = "Копий на исправление: {written} в папке {folder}."
    REVIEW_NOTHING = "Исправлять нечего ({count}): {names}."
    REVIEW_NOT_WRITTEN = ("Не записано копий: {count}: закройте их и запустите команду "
                          "ещё раз.")
    REVIEW_NO_COPY = "Без копии: {count} — с этими респондентами нужно связаться."
    SENDING_LIST = "Список для рассылки: {path}"
    SENDING_LIST_FAILED = "Список для рассылки не записан: {message}"
    # collect
    FROM_TO_TOGETHER = "--from и --to указываются вместе."
    PERIOD_OR_DATES = "Укажите либо --period, либо --from и --to."
    READING = "Чтение книг"
    COLLECT_PERIOD = "Период: {label} ({text}); отчётная дата {as_of:%d.%m.%Y}."
    REPLACED_COUNT = ", заменено: {count}"
    COLLECTED = ("Книг получено: {files}, от {sent} из {expected} респондентов; принято: "
                 "{accepted}, с ошибками: {with_errors}, не принято: {refused}{replaced}.")
    COLLECT_PROBLEMS = ("Ошибок: {errors}, замечаний: {warnings} — список на листе «{sheet}» "
                        "отчёта; подробно: ibc-xls validate {folder}.")
    MISSING_CLASS = "{class_name} класс — {name}"
    MISSING_ROLE = "{role} — {name}"
    MISSING = "Не сдали ({count}): {names}."
    ALL_SENT = "Сдали все."
    REPORT_WRITTEN = "Отчёт записан: {path}"
    REPORT_REPLACED = "Отчёт заменён: {path}"
    # rollup
    ROLLUP_PERIOD = "Период: {label}."
    ROLLUP_NO_PERIOD = "не определён (отчётов нет)"
    ROLLUP_FILES = ("Файлов в папке: {files}; отчёты сдали {used} из {schools} школ; учтено в "
                    "итогах: {counted}.")
    ROLLUP_MISSING = "Не сдали отчёт ({count}): {names}."
    ROLLUP_ALL_SENT = "Отчёты сдали все школы."
    ROLLUP_SKIPPED = "Не учтено в сводке файлов: {count}:"
    ROLLUP_SKIPPED_FILE = "  {file} — {status}"
    ROLLUP_WRITTEN = "Сводка записана: {path}"
    ROLLUP_REPLACED = "Сводка заменена: {path}"


class Checked:
    """What became of a returned workbook (the word agrees with «книга»)."""

    FILE_STATUS = Frozen({"ok": "принята", "warnings": "принята, есть замечания",
                          "errors": "есть ошибки", "refused": "не принята",
                          "replaced": "заменена"})


class Report:
    """The consolidated report's headers and labels; the report finds its highlights and
    charts by the computed columns' headers."""

    YES = "да"
    NO = "нет"
    TOTAL = "Всего"
    TOTAL_LABEL = "Итого"
    RANK = "Место"
    AVERAGE = "Средний балл"
    SCORE_SUM = "Сумма баллов"
    BAND = "Группа классов"
    DATES = "Даты"
    COVERED = "Охвачена"
    OVERDUE = "Просрочено"
    COLUMN_TOTAL = "{title} (всего)"
    STATUS = "Статус"
    SEVERITY = "Важность"
    ERROR = "ошибка"
    WARNING = "замечание"


class Rules:
    """Parts of the checks' messages: a column's bounds, a form rule's own wording, whose
    blank the settings expect (the «who» of ``identity-mismatch``)."""

    DATES_BETWEEN = "с {lo} по {hi}"
    NUMBERS_BETWEEN = "от {lo} до {hi}"
    DATE_FROM = "не раньше {lo}"
    NUMBER_FROM = "не меньше {lo}"
    DATE_TO = "не позже {hi}"
    NUMBER_TO = "не больше {hi}"
    TITLE = "«{title}»"
    CLASS_TEACHER = "{class_name} класс"


class ReportBook:
    """The consolidated report workbook's own text: properties, the title sheet, the sheets'
    titles and notes, the contents' descriptions."""

    FOOTER = "&L{school}, {period}&RСтр. &P из &N"
    PROPERTY_TITLE = "Отчёт ИБЦ: {school}, {period}"
    PROPERTY_SUBJECT = "{period_text}, {year} учебный год"
    PROPERTY_COMMENTS = "Сводный отчёт информационно-библиотечного центра. Создано ibc-xls."
    TITLE = "Отчёт информационно-библиотечного центра"
    FOR = "Для: {municipality}"
    YEAR = "Учебный год: {year}"
    PERIOD = "Период: {label} ({text})"
    AS_OF = "Отчётная дата: {as_of:%d.%m.%Y}"
    CREATED = "Дата составления: {created:%d.%m.%Y}"
    AS_OF_NOTE = ("Сроки, статусы и даты оценены по состоянию на отчётную дату: тот же отчёт, "
                  "собранный позже, даст те же цифры.")
    KEY_FIGURES = "Основные показатели"
    CONTENTS = "Содержание"
    DATA_SHEETS_NOTE = "Листы «Данные — …»: все прочитанные строки каждой формы, учтённые и нет."
    # What each of the report's own sheets shows, in the contents.
    ABOUT_TITLE = "школа, период, основные показатели"
    ABOUT_SUBMISSIONS = "кто сдал книги, кто нет"
    ABOUT_PROBLEMS = "все ошибки и замечания: файл, лист, ячейка"
    ABOUT_RECONCILIATION = "прочитано = учтено + не учтено, по формам"
    ABOUT_SOURCES = "прочитанные файлы, контрольные суммы"
    ABOUT_SOURCE_ROWS = "сколько строк каждой формы прочитано и учтено в каждой книге"
    SUBMISSIONS = "Кто сдал книги"
    SUBMISSIONS_NOTE = ("«есть ошибки»: строки с ошибками не учтены, остальные учтены; «не "
                        "принята»: из книги ничего не взято; «заменена»: респондент сдал книгу "
                        "ещё раз, учтена сохранённая позже.")
    PROBLEMS = "Ошибки и замечания по книгам"
    RECONCILIATION = "Сверка строк по формам"
    RECONCILIATION_NOTE = ("Прочитано = учтено + с ошибками + вне периода + в неучтённых книгах "
                           "(не принятых или заменённых более поздними). Ничего прочитанного не "
                           "пропадает: все строки — на листах «Данные — …».")
    SOURCES = "Прочитанные книги"
    SOURCE_ROWS = "Строки по книгам и формам"
    DATA = "Данные: {title}"
    DATA_NOTE = ("Все прочитанные строки формы. Неучтённые выделены цветом; в строках с "
                 "ошибками показаны значения, как они введены.")
    DATA_SHEET = "Данные — {sheet}"
    CUT = " … [обрезано: в ячейке было {length} знаков]"


class Consolidated:
    """The report's tables: headers, statuses, why a row is not counted, key figures."""

    # Headers.
    DUE_DATE = "Срок (дата)"
    NOTES = "Ошибки и замечания"
    NO_INFO = "Нет сведений"
    COUNTED = "Учтено"
    WHY_NOT = "Почему не учтено"
    FILE = "Файл"
    ROW = "Строка"
    RESPONDENT = "Респондент"
    BLANK_CLASS = "Класс бланка"
    FORM = "Форма"
    ROWS_READ = "Прочитано строк"
    WITH_ERRORS = "С ошибками"
    OUTSIDE = "Вне периода"
    IN_EXCLUDED = "В неучтённых книгах"
    AGREES = "Сходится"
    NAME = "ФИО"
    CLASS = "Класс"
    SENT = "Сдан"
    STATUS = "Статус"
    ERRORS = "Ошибок"
    WARNINGS = "Замечаний"
    LINES_READ = "Строк прочитано"
    LINES_COUNTED = "Строк учтено"
    REMARK = "Примечание"
    SHEET = "Лист"
    CELL = "Ячейка"
    FIELD = "Поле"
    VALUE = "Значение"
    SEVERITY = "Важность"
    MESSAGE = "Сообщение"
    CODE = "Код"
    FORMAT = "Формат"
    TEMPLATE = "Шаблон"
    TEMPLATE_VERSION = "Версия шаблона"
    MODIFIED = "Изменён"
    SIZE = "Размер, байт"
    NOT_COUNTED = "Не учтено"
    FIGURE = "Показатель"
    EXPLANATION = "Пояснение"
    # A spec's column whose title is one of the report's own headers.
    FORM_COLUMN = "{title} (форма)"
    # Statuses and reasons.
    NOT_SENT = "не сдана"
    ERROR = "ошибка"
    WARNING = "замечание"
    WHY_REFUSED = "книга не принята"
    WHY_BLOCKED = "книга другой школы или другого учебного года"
    WHY_SUPERSEDED = "учтена более поздняя книга этого респондента"
    WHY_ERRORS = "ошибки в строке"
    WHY_PERIOD = "вне периода отчёта"
    SUPERSEDED_BY = "Учтена более поздняя книга этого респондента: «{used}»."
    ROADMAP_NOT_SENT = "Дорожная карта не сдана."
    NOT_LISTED = "Не из списка респондентов"
    # The deadline's word for «every year» (``ежегодно 31.05``).
    YEARLY = "ежегодно"
    # Key figures: (name, explanation).
    BOOKS_RECEIVED = "Книг получено"
    BOOKS_FROM = "от {sent} из {expected} респондентов"
    NOT_SENT_FIGURE = "Респондентов не сдали книгу"
    OUT_OF = "из {expected}"
    BOOKS_WITH_ERRORS = "Книг с ошибками"
    ROWS_NOT_COUNTED = "строки с ошибками не учтены"
    BOOKS_REFUSED = "Книг не принято"
    BOOKS_REPLACED = "Книг заменено"
    REPLACED_EXPLAINED = "учтена более поздняя книга того же респондента"
    ERRORS_SEE = "см. лист «{sheet}»"


class Sniffed:
    """What a file is when it is not a workbook (the «what» of ``file-not-workbook``), and a
    size as the «why» of ``file-too-large`` says it."""

    EMPTY_ZIP = "пустой архив ZIP"
    PDF = "документ PDF"
    IMAGE = "изображение"
    RTF = "документ RTF"
    RAR = "архив RAR"
    SEVEN_ZIP = "архив 7-Zip"
    GZIP = "архив gzip"
    TEXT = "текстовый файл"
    UNKNOWN = "файл неизвестного вида"
    WORD = "документ Word"
    OLE_NOT_EXCEL = "файл Microsoft Office, но не книга Excel"
    POWERPOINT = "презентация PowerPoint"
    ODF_NOT_SHEET = "документ OpenDocument, но не таблица"
    ZIP = "архив ZIP"
    MB = "{size:.0f} МБ"
    KB = "{size:.0f} КБ"


class Toml:
    """Parts of the problems about a settings file (a form spec in ``templates/``,
    ``ibc-xls.toml``): the value shown in ``toml-bad-value``, the names of value types and
    the type lists of its variants, the parts of ``spec-missing-role`` and
    ``toml-duplicate``. What is wrong with a value is a variant of ``toml-bad-value`` in
    the catalogue."""

    SHOWN = ", указано «{value}»"
    IN = " в {place}"
    OR = " или "
    # What a key's value should be («ожидается {kind}»), by the Python type of TOML's value.
    TYPE_NAMES = Frozen({"str": "строка", "int": "целое число", "float": "число",
                         "bool": "true или false", "list": "список", "dict": "таблица"})
    # What a role's column should be (``spec-missing-role``'s «need»).
    NEED_TYPES = " (тип {types})"
    NEED_PREFILLED = " (заполненный заранее, prefilled)"
    NEED_SCORES = " (тип integer или decimal, хотя бы один)"
    # The placeholders a text may use, when it may use none («допустимо: нет»).
    NO_PLACEHOLDERS = "нет"


class Sheets:
    """The names of the sheets ibc-xls writes besides the forms: a blank's, a copy for
    correction's, the report's own. The readers skip them by these names."""

    INSTRUCTIONS = "Инструкция"
    LISTS = "Списки"
    REVIEW = "Что исправить"
    TITLE = "Титульный лист"
    SUBMISSIONS = "Сдача книг"
    PROBLEMS = "Ошибки и замечания"
    RECONCILIATION = "Сверка строк"
    SOURCES = "Источники"
    SOURCE_ROWS = "Строки по книгам"
    DATA_PREFIX = "Данные — "


class Passport:
    """The labels of a workbook's «Паспорт» fields, written next to each value; the readers go
    by the field's name in the first column, not by its label."""

    LABELS = Frozen({
        "template": "Шаблон",
        "template_version": "Версия шаблона",
        "respondent_id": "Код респондента",
        "respondent": "Респондент",
        "class_name": "Класс",
        "school": "Школа",
        "academic_year": "Учебный год",
        "generator": "Создано программой",
        "kind": "Вид книги",
        "format": "Версия формата отчёта",
        "full_name": "Полное название",
        "period_label": "Период",
        "period_start": "Начало периода",
        "period_end": "Конец периода",
        "as_of": "Отчётная дата",
        "created": "Создан",
    })


class Workspace:
    """What ``ibc-xls init`` writes: the working folder's folders and the example settings
    file, commented for a school that edits it in Notepad."""

    FOLDERS = Frozen({"templates": "шаблоны", "outgoing": "бланки", "returned": "сданные",
                      "reports": "отчёты", "review": "на исправление"})
    # The settings file; {folders} and {classes} are its filled-in lines.
    EXAMPLE_CONFIG = '''\
# Настройки ibc-xls для школы. Файл в кодировке UTF-8; правьте его в Блокноте.
# Строки, начинающиеся с #, — пояснения, программа их не читает.

[school]
name = "МОУ «СОШ №4»"
full_name = "Муниципальное общеобразовательное учреждение «Средняя общеобразовательная школа №4»"
# Кому сдаётся отчёт: орган управления образованием.
municipality = "Управление образования"
# Регион, как он пишется сам по себе, и в родительном падеже (кого? чего?): шаблоны форм
# пишут, например, «библиотекари Томской области».
region = "Томская область"
region_genitive = "Томской области"
# Год начала учебного года: 2025 — это 2025/2026 учебный год (1 сентября – 31 августа).
academic_year = {academic_year}
# Что напечатать в книге о том, куда и когда её вернуть.
return_to = "Отправьте заполненную книгу заведующему ИБЦ до 5 апреля и до 5 октября."

[people]
ibc_head = "Сидорова Елена Викторовна"
director = "Кузнецов Андрей Николаевич"
# true — директор получает свою книгу; false — его формы входят в книгу зав. ИБЦ.
director_workbook = false

# Папки внутри рабочей папки.
[folders]
# templates — шаблоны форм (можно править тексты, списки, границы, заголовки). В текстах
# шаблонов {{school.name}}, {{school.region_genitive}} и другие подстановки заменяются значениями
# из раздела [school] этого файла;
# outgoing — бланки для рассылки; returned — сюда кладите заполненные книги;
# reports — готовые отчёты; review — копии книг с отмеченными ошибками, которые
# ibc-xls review готовит, чтобы вернуть их на исправление.
{folders}

# Кто что заполняет: коды форм из шаблонов (поле id). Если роли здесь нет,
# берутся формы, в шаблоне которых указана эта роль (filled_by).
[forms]
ibc_head = ["roadmap", "documents", "explanatory", "meetings", "practices", "courses"]
director = ["documents", "explanatory"]
class_teacher = ["reading_contest", "textbooks", "diaries"]

# Классы школы и классные руководители: по одному блоку [[classes]] на класс.
{classes}'''


class Blank:
    """A blank workbook's text: what a column takes, the input hints, the instructions."""

    DATE = "дата ДД.ММ.ГГГГ"
    DATE_SPAN = "дата ДД.ММ.ГГГГ с {lo} по {hi}"
    INTEGER = "целое число"
    NUMBER = "число"
    NUMBER_BETWEEN = "{what} от {lo} до {hi}"
    NUMBER_FROM = "{what} не меньше {lo}"
    NUMBER_TO = "{what} не больше {hi}"
    CHOICE = "значение из списка: {choices}"
    CLASS = "класс из списка классов школы"
    TEXT_UP_TO = "текст до {length} знаков"
    TEXT = "текст"
    REQUIRED_HINT = "{hint} Обязательно."
    INPUT_ERROR = "Здесь нужно: {what}. Исправьте значение."
    PICK_FROM_LIST = "Выберите значение из списка (стрелка справа от ячейки)."
    CLASSES_LIST = "Классы"
    CHOICES_LIST = "{title} ({sheet})"
    FOOTER = "&L&11{school}, {year}&R&11Стр. &P из &N"
    FORM_SUBTITLE = "{school}, {year} учебный год. {respondent}"
    FORM_NOTE = "Заполняйте жёлтые ячейки. Столбцы со знаком * обязательны."
    TITLE = "Отчёт информационно-библиотечного центра"
    SCHOOL_YEAR = "{school}, {year} учебный год"
    WHO_FILLS = "Кто заполняет: {respondent}"
    HOW_TO_FILL = "Как заполнять"
    STEPS = (
        "Заполняйте только жёлтые ячейки. Заголовки и готовые строки защищены от случайных "
        "изменений.",
        "Где в ячейке есть список, выберите значение из списка (стрелка справа от ячейки).",
        "Даты пишите как ДД.ММ.ГГГГ, например {example:%d.%m.%Y}. Числа — цифрами.",
        "Столбцы со знаком * обязательны для каждой заполненной строки.",
        "Не переименовывайте листы и не меняйте заголовки столбцов: по ним книга читается "
        "при сборе отчёта. Пустые строки оставьте пустыми.",
        "Сохраните книгу в том же формате (.xlsx) под тем же именем. {return_to}",
    )
    RETURN_TO = "Верните её зав. ИБЦ."
    STEP = "{number}. {step}"
    SHEET = "Лист «{sheet}»: {title}"
    COLUMNS_HEADER = ("Столбец", "Обязательно", "Что вводить", "Пояснение")
    YES = "да"
    PROPERTY_TITLE = "Отчёт ИБЦ: {respondent}"
    PROPERTY_COMMENTS = "Создано ibc-xls. Заполните жёлтые ячейки и верните книгу."


class Review:
    """The copies for correction: their names, their first sheet «Что исправить», the
    sending list."""

    COPY_SUFFIX = " (исправить)"
    SENDING_LIST = "Список на исправление.xlsx"
    # What became of one return (the words agree with «копия»).
    STATUS = Frozen({
        "written": "копия записана",
        "locked": "копия НЕ записана",
        "done": "исправлять нечего",
        "refused": "копии нет",
        "replaced": "заменена более поздней книгой",
    })
    WHO_CLASS = "{class_name} класс — {name}"
    WHO_ROLE = "{role} — {name}"
    ON_SHEET = "лист «{sheet}»"
    IN_CELL = "ячейка {cell}"
    NOTE_ERROR = "Ошибка: {message}"
    NOTE_WARNING = "Замечание: {message}"
    FRONT_HEADERS = ("№", "Лист", "Ячейка", "Что это", "Что не так и как исправить")
    FRONT_TITLE = "Что исправить в книге"
    FRONT_WHO = "{label}. {school}, {year} учебный год."
    FRONT_CHECKED = ("Ваша книга «{original}» проверена {as_of:%d.%m.%Y}: ошибок — {errors}, "
                     "замечаний — {warnings}.")
    STEPS = (
        "Это ваша книга: все введённые вами значения на своих местах. Исправлять нужно только "
        "отмеченные ячейки, остальное уже принято.",
        "Ячейки с ошибками и замечаниями закрашены (цвета — ниже). В каждой такой ячейке есть "
        "примечание: наведите на неё указатель мыши, чтобы прочитать, что не так.",
        "В таблице ниже все ошибки и замечания; нажмите на адрес ячейки, чтобы перейти к ней "
        "(в LibreOffice — с нажатой клавишей Ctrl).",
        "Ошибки нужно исправить. Замечания — проверьте: если значение верное, оставьте его.",
        "Сохраните книгу в формате Excel (.xlsx), не переименовывая листы. {return_to}",
    )
    RETURN_TO = "Верните её зав. ИБЦ."
    HOW_TO_FIX = "Как исправить"
    STEP = "{number}. {step}"
    ERROR_KEY = "ошибка: нужно исправить"
    WARNING_KEY = "замечание: проверьте значение"
    GO_TO_CELL = "Перейти к ячейке"
    ERROR = "ошибка"
    WARNING = "замечание"
    FOOTER = "&R&11Стр. &P из &N"
    NOT_READ = "книга не прочитана."
    LIST_COLUMNS = (("Респондент", 34), ("Класс", 8), ("Сданная книга", 34), ("Ошибок", 9),
                    ("Замечаний", 11), ("Копия на исправление", 40), ("Что сделать", 50))
    TODO_SEND = "Отправить копию респонденту."
    TODO_LOCKED = "Копия не записана: {reason} Запустите ibc-xls review ещё раз."
    TODO_REFUSED = "Копии нет, свяжитесь с респондентом: {reason}"
    TODO_REPLACED = "Ничего: учтена более поздняя книга «{reason}»."
    TODO_NOTHING = "Ничего: книга принята без замечаний."
    LIST_PROPERTY_TITLE = "Список копий на исправление"
    LIST_SHEET = "Список"
    LIST_TITLE = "Копии книг на исправление"
    LIST_SUBTITLE = ("{school}, {year} учебный год. Проверено {as_of:%d.%m.%Y}. Копии лежат в "
                     "папке {folder}.")
    NO_RESPONDENT = "(не указан)"


class People:
    """Respondents and periods as the workbooks and the settings' messages name them."""

    ROLE_TITLES = Frozen({"ibc_head": "Зав. ИБЦ", "director": "Директор",
                          "class_teacher": "Классный руководитель"})
    LABEL_CLASS = "{class_name} класс, классный руководитель {name}"
    LABEL_ROLE = "{role} {name}"
    STEM_CLASS = "{class_name} класс — {name}"
    STEM_ROLE = "{role} — {name}"
    APRIL_REPORT = "отчёт за апрель {year}"
    OCTOBER_REPORT = "отчёт за октябрь {year}"
    REPORT_FILE = "Сводный отчёт ИБЦ {school} {period}"


class Rollup:
    """``ibc-xls rollup``: the office's working folder and settings, the summary workbook's
    sheets, titles, notes, headers and statuses."""

    # The office's working folder and the settings ``init --office`` writes.
    RECEIVED = "полученные"
    SUMMARIES = "сводки"
    EXAMPLE_SCHOOLS = (
        ("МОУ «СОШ №4»",
         "Муниципальное общеобразовательное учреждение «Средняя общеобразовательная школа №4»"),
        ("МОУ «Гимназия №1»", "Муниципальное общеобразовательное учреждение «Гимназия №1»"),
    )
    SETTINGS = """\
# Настройки ibc-xls для управления образования. Файл в кодировке UTF-8; правьте его
# в Блокноте. Строки, начинающиеся с #, — пояснения, программа их не читает.

[office]
# Название управления: оно печатается на титульном листе сводки.
name = "Управление образования"

# Папки внутри рабочей папки управления.
[folders]
# received — сюда кладите отчёты школ (как их прислали, под любыми именами);
# summaries — сюда ibc-xls rollup записывает сводки.
{folders}

# Школы, от которых управление ждёт отчёт: по одному блоку [[schools]] на школу.
# short — краткое название школы так, как оно записано в настройках самой школы
# (ключ name в разделе [school] её файла ibc-xls.toml); по нему отчёт узнаётся.
# full — полное название для сводки.
# Чтобы добавить школу, скопируйте три строки блока [[schools]] в конец файла и впишите
# её названия. Отчёт школы, которой здесь нет, в сводку не попадает (о нём будет сказано).
{schools}"""
    OUTPUT = "Сводка отчётов ИБЦ {period}"
    ALL_PERIODS = "все периоды"

    # Headers of the summary's tables.
    SCHOOL = "Школа"
    SCHOOL_PLACE = "Место в школе"
    FULL_NAME = "Полное название"
    FILE = "Файл"
    PERIOD = "Период"
    AS_OF = "Отчётная дата"
    CREATED = "Создан"
    STATUS = "Статус"
    REASON = "Причина"
    FIGURE = "Показатель"
    SUM = "Итого"
    SCHOOLS = "Школ"
    EXPLANATION = "Пояснение"
    COUNTED = "Учтён в итогах"
    SHEET = "Лист"
    CELL = "Ячейка"
    MESSAGE = "Сообщение"
    CODE = "Код"
    TOPICS_COVERED = "Тем охвачено"
    ROWS = "Строк"
    # The office's own key figures.
    SCHOOLS_LISTED = "Школ в списке управления"
    SCHOOLS_SENT = "Школ сдали отчёт"
    SCHOOLS_NOT_SENT = "Школ не сдали отчёт"
    NOT_COUNTED = "Отчётов не учтено в итогах"
    OUT_OF = "из {expected}"
    NOT_COUNTED_WHY = "цифры отчёта не сходятся с его таблицами"
    SUMMED = "сумма по школам"
    # What became of each file and each school's report.
    STATUS_USED = "учтён"
    STATUS_FLAGGED = "цифры не сходятся, не учтён в итогах"
    STATUS_HISTORY = "учтён в динамике"
    STATUS_REPLACED = "заменён более поздним"
    STATUS_OTHER_PERIOD = "другой период"
    STATUS_UNKNOWN = "школы нет в списке"
    STATUS_REFUSED = "не отчёт или не читается"
    STATUS_MISSING = "не сдан"

    # The summary workbook: properties, sheets, titles, notes, the contents' descriptions.
    PROPERTY_TITLE = "Сводка отчётов ИБЦ: {office}, {period}"
    PROPERTY_COMMENTS = "Сводка отчётов информационно-библиотечных центров школ. Создано ibc-xls."
    FOOTER = "&L{office}, {period}&RСтр. &P из &N"
    NO_PERIOD = "период не указан"
    TITLE_SHEET = "Титульный лист"
    SCHOOLS_SHEET = "Показатели по школам"
    REPORTS_SHEET = "Сдача отчётов"
    FILES_SHEET = "Файлы"
    PROBLEMS_SHEET = "Замечания"
    DYNAMICS_SHEET = "Динамика — {figure}"
    TITLE = "Сводка отчётов информационно-библиотечных центров школ"
    PERIOD_LINE = "Период: {label}"
    NO_REPORT_PERIOD = "не указан: нет ни одного отчёта"
    SCHOOLS_LINE = "Школ в списке: {listed}; сдали отчёт: {sent}; не сдали: {missing}."
    MISSING_LINE = "Не сдали отчёт: {schools}."
    CREATED_LINE = "Дата составления: {created:%d.%m.%Y}"
    TITLE_NOTE = ("Итоги — суммы показателей титульных листов отчётов школ. Отчёт, цифры "
                  "которого не сходятся с его же таблицами (изменён вручную), в итоги не "
                  "входит: он отмечен на листах «{schools_sheet}» и «{reports_sheet}».")
    KEY_FIGURES = "Основные показатели"
    CONTENTS = "Содержание"
    DATA_SHEETS_NOTE = ("Листы «Данные — …»: строки форм всех учтённых школ со столбцом "
                        "«{school}» — для своих сводных таблиц и фильтров.")
    ABOUT_SCHOOLS = "ключевые показатели каждой школы"
    ABOUT_SECTION_CHART = "по школам, диаграмма"
    ABOUT_SECTION = "все школы вместе"
    ABOUT_REPORTS = "какие школы сдали отчёт и когда, какие нет"
    ABOUT_FILES = "все файлы в папке полученных отчётов: учтён или почему нет"
    ABOUT_PROBLEMS = "что не так с отчётами: файл, лист, ячейка"
    ABOUT_DYNAMICS = "по школам и периодам, диаграмма"
    SCHOOLS_TITLE = "Основные показатели по школам"
    SCHOOLS_NOTE = ("Показатели титульных листов отчётов. Выделенная школа не учтена в итогах: "
                    "цифры её отчёта не сходятся с его таблицами (см. лист «{problems_sheet}»).")
    SECTION_TITLE = "{sheet}: все школы"
    SECTION_NOTE = ("Только учтённые школы; их таблицы сложены или упорядочены заново по тем "
                    "же правилам, что в отчётах школ.")
    BY_SCHOOL = "По школам"
    BY_SCHOOL_CHART = "{sheet}: по школам"
    ALL_TOGETHER = "Все школы вместе"
    SCHOOL_ROWS = "Строки отчётов школ"
    RANKING_CHART = "{sheet}: первые {shown} мест среди всех школ"
    BAND_CHART = "{band}: все школы"
    REPORTS_TITLE = "Какие школы сдали отчёт"
    FILES_TITLE = "Файлы в папке полученных отчётов"
    FILES_NOTE = ("Учтён: отчёт вошёл в сводку. Остальные файлы не учтены, причина — в столбце "
                  "«{reason}».")
    PROBLEMS_TITLE = "Замечания по отчётам"
    DYNAMICS_TITLE = "{figure}: по периодам"
    DYNAMICS_NOTE = ("Одна строка — школа, один столбец — период (по отчётам в папке "
                     "полученных). Пусто: за этот период отчёта школы нет или он не учтён.")
    DATA_TITLE = "{sheet}: все учтённые школы"
    IDENTITY_FIELD = "Поле"
    IDENTITY_VALUE = "Значение"
