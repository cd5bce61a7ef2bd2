"""Problems as values, the catalogue of their codes and Russian messages, and the error that
carries them.

Every message a user sees about bad input lives in CATALOGUE, keyed by a stable kebab-case code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType as Frozen

from ibc_xls.cells import a1


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Kind:
    """One kind of problem: its Russian title and message template. ``own``: the template
    when a form's rule words the message itself (its ``message`` key, the ``rule_message``
    parameter); ``template`` is the wording when it does not."""

    title: str
    template: str
    severity: Severity = Severity.ERROR
    own: str = ""
    # A kind said several ways: the template's ``{why}`` is the variant that the problem's
    # ``why`` parameter names, itself a template of the problem's other parameters.
    variants: Mapping[str, str] = dataclasses.field(default_factory=dict)


CATALOGUE: dict[str, Kind] = {
    # Settings files: the form specs in templates/ and the school's ibc-xls.toml.
    "toml-syntax": Kind(
        "Файл настроек не читается",
        "Файл нельзя прочитать как TOML: {why}. Исправьте синтаксис (кавычки, скобки, запятые).",
        variants=Frozen({
            "encoding": "файл не в кодировке UTF-8; сохраните его в Блокноте с кодировкой UTF-8",
            "at": "ошибка в строке {line}, знак {column}",
            "at-end": "ошибка в конце файла",
        }),
    ),
    "toml-missing-key": Kind(
        "Нет обязательного ключа",
        "Не задан ключ «{key}». Добавьте его.",
    ),
    "toml-bad-value": Kind(
        "Недопустимое значение",
        "Ключ «{key}»{shown}: {why}.",
        variants=Frozen({
            # Any settings file.
            "expected": "ожидается {kind}",
            "empty-string": "пустая строка",
            "strings": "ожидается список непустых строк",
            "one-of": "допустимо одно из: {allowed}",
            "table": "ожидается таблица [[{name}]]",
            # Form specs: names.
            "name": "латинские строчные буквы, цифры и _, с буквы в начале",
            "meaning-name": "название — латинские строчные буквы, цифры и _, с буквы в начале",
            "version": "версия — целое число от 1",
            "sheet-name": "имя листа — до 31 знака, без знаков [ ] : * ? / \\",
            "table-name": "имя таблицы — tbl_ и дальше латинские строчные буквы, цифры и _",
            "reserved-sheet": "это имя служебного листа, выберите другое",
            "report-sheet": "это имя листа самого отчёта (свои: {own}, «{prefix}…»), выберите "
                            "другое",
            "report-table": "это имя таблицы самого отчёта (свои: {own}, «{prefix}…»), выберите "
                            "другое",
            # Form specs: columns and rows.
            "date-bound": "ожидается дата ГГГГ-ММ-ДД или одно из: {allowed}",
            "whole-bound": "для целого столбца граница должна быть целой",
            "no-such-bound": "у столбца типа «{type}» такой границы быть не может",
            "choices-only": "список выбора бывает только у столбца типа choice",
            "choices-repeated": "в списке выбора есть повторы",
            "min-over-max": "нижняя граница больше верхней",
            "width": "ширина должна быть от 2 до 120",
            "max-length": "длина должна быть от 1 до 32767",
            "meanings-only": "значения по смыслу (meanings) бывают только у столбца типа choice",
            "meaning-value": "ожидается значение из списка выбора или список таких значений",
            "rule-column": "правило ссылается на неизвестный столбец «{name}»",
            "input-rows": "число строк для ввода — от 1 до 5000",
            "no-columns": "нужен хотя бы один столбец",
            "no-input": "в форме нет ни одного столбца для ввода",
            "fixed-rows-only": "готовые строки бывают только у формы с rows = \"fixed\"",
            "no-fixed-rows": "нужна хотя бы одна строка",
            "string": "ожидается строка",
            "prefilled-only": "заполненные заранее столбцы (prefilled) бывают только у формы с "
                              "rows = \"fixed\"",
            # Form specs: what the report declares.
            "role-type": "столбец «{column}» с ролью «{role}» должен быть типа {types}",
            "role-prefilled": "столбец «{column}» с ролью «{role}» должен быть заполнен заранее "
                              "(prefilled)",
            "no-meaning": "у столбца «{column}» с ролью «{role}» нет значения meanings.{meaning}",
            "placeholder-here": "подстановка {{{field}}} здесь не бывает; допустимо: {allowed}",
            "meaning-expected": "ожидается название значения из meanings, например \"award\"",
            "chart-table": "ожидается таблица, например {{ type = \"bar\" }}",
            "chart-top": "число строк диаграммы — целое от 1 (0 — все)",
            "no-bands": "нужна хотя бы одна группа классов",
            "band-table": "ожидается таблица {{ name = \"1–4 классы\", grades = [1, 4] }}",
            "band-grades": "ожидаются две параллели от 0 до 12, первая не больше второй",
            "progress-only": "сводка progress бывает только у формы с rows = \"fixed\"",
            "ratio": "ожидаются две роли: что делится и на что",
            "positive": "ожидается положительное число",
            "top": "ожидается целое число от 1",
            "of-only": "ключ of бывает только у показателя с count = \"sum\"",
            "one-summary": "для этого показателя в форме нужна одна сводка kind = \"{kind}\"",
            # The school's ibc-xls.toml.
            "academic-year": "год начала учебного года, например 2025 для 2025/2026",
            "no-templates": "такой папки с шаблонами нет",
            "returned-is-outgoing": "папка для сданных книг должна отличаться от папки бланков",
            "review-in-returned": "копии на исправление нельзя класть в папку сданных книг: они "
                                  "будут прочитаны как сданные",
            "pupils": "число учащихся — от 1 до 45",
            "class-name": "класс пишется как «5А», «11Б» или «3»",
            "unknown-form": "такой формы нет среди шаблонов; есть: {forms}",
            # The office's ibc-xls-office.toml.
            "same-folders": "папка сводок должна отличаться от папки полученных отчётов",
        }),
    ),
    "toml-unknown-key": Kind(
        "Неизвестный ключ",
        "Ключ «{key}» не известен ibc-xls. Проверьте написание; допустимо: {allowed}.",
    ),
    "toml-duplicate": Kind(
        "Повтор",
        "Ключ «{key}»: значение «{value}» уже встречается{where}. Значения должны быть разными.",
    ),
    "spec-missing-role": Kind(
        "Нет столбца с ролью",
        "Ключ «{key}»: для этого нужен столбец с ролью «{role}»{need}, а в форме его нет. "
        "Добавьте role = \"{role}\" нужному столбцу или исправьте ключ.",
    ),
    "spec-bad-meaning": Kind(
        "Значения нет в списке выбора",
        "Ключ «{key}»: значения «{value}» нет в списке выбора (choices) столбца «{column}». "
        "Исправьте значение или список выбора: они должны совпадать.",
    ),
    "spec-unknown-placeholder": Kind(
        "Неизвестная подстановка",
        "Ключ «{key}»: подстановка «{placeholder}» не известна ibc-xls. Исправьте написание; "
        "допустимы: {allowed}.",
    ),
    "spec-placeholder-unset": Kind(
        "Подстановка без значения",
        "Ключ «{key}» использует подстановку «{placeholder}», а в файле настроек «{settings}» "
        "не задан ключ «{setting}». Впишите его в раздел [school] этого файла: {why}.",
        # What to write, by the setting a placeholder names (forms.spec.PLACEHOLDERS).
        variants=Frozen({
            "school.name": "name = \"МОУ «СОШ №4»\" — краткое название школы",
            "school.full_name": "full_name = \"…\" — полное название школы",
            "school.municipality": "municipality = \"Управление образования\" — кому сдаётся "
                                   "отчёт",
            "school.region": "region = \"Томская область\" — регион",
            "school.region_genitive": "region_genitive = \"Томской области\" — регион в "
                                      "родительном падеже (кого? чего?)",
        }),
    ),
    "spec-no-summaries": Kind(
        "В шаблоне нет сводок отчёта",
        "В шаблоне нет сводок отчёта ([[summaries]]), а в шаблоне этой формы из поставки "
        "ibc-xls они есть: шаблон скопирован раньше, чем они появились, и в отчёте не будет "
        "листов этой формы. Скопируйте в него блоки [[summaries]] и [[figures]] из «{shipped}» "
        "(см. в README раздел «Свои формы и сводки отчёта»).",
        Severity.WARNING,
    ),
    "spec-empty": Kind(
        "Нет шаблонов",
        "В папке нет ни одного шаблона формы (*.toml). Скопируйте шаблоны из поставки ibc-xls.",
    ),
    # A returned workbook as a whole.
    "not-ibc-workbook": Kind(
        "Не бланк ibc-xls",
        "Это не бланк ibc-xls: в книге нет паспорта бланка (скрытого листа «Паспорт» и свойств "
        "документа). Заполните бланк, полученный от зав. ИБЦ, и сдайте его.",
    ),
    "template-version": Kind(
        "Старая версия бланка",
        "Бланк старой версии: форма «{form}» версии {found}, а нужна версия {expected}. "
        "Перенесите данные в новый бланк (его делает ibc-xls generate) и сдайте его.",
    ),
    "template-unknown-form": Kind(
        "Неизвестная форма",
        "В бланке есть форма «{form}», которой нет среди шаблонов школы. Возьмите новый бланк "
        "у зав. ИБЦ.",
    ),
    "wrong-school": Kind(
        "Бланк другой школы",
        "Бланк школы «{found}», а отчёт собирается для «{expected}». Проверьте, откуда этот файл.",
    ),
    "wrong-year": Kind(
        "Бланк другого учебного года",
        "Бланк за {found} учебный год, а отчёт собирается за {expected}. Возьмите бланк на "
        "текущий учебный год.",
    ),
    "unknown-respondent": Kind(
        "Респондента нет в настройках",
        "Бланк выдан респонденту «{found}», которого нет в ibc-xls.toml (класс удалён или "
        "переименован). Данные прочитаны; проверьте список классов.",
        Severity.WARNING,
    ),
    "identity-mismatch": Kind(
        "Паспорт бланка изменён",
        "Паспорт бланка не сходится: {why}. Паспорт (скрытый лист «Паспорт» и свойства "
        "документа) изменён, поэтому книга не засчитана никому. Возьмите у зав. ИБЦ новый "
        "бланк для этого респондента и перенесите в него данные.",
        variants=Frozen({
            "class": "код респондента «{rid}», а класс «{class_name}»",
            "role": "код респондента «{rid}», а вид бланка «{role}»",
            "role-class": "код респондента «{rid}» ({title}), а класс «{class_name}»",
            "name": "в бланке респондент «{name}», а в настройках ({who}) — «{expected}»",
            "properties": "«{label}» на листе «Паспорт» — «{on_sheet}», а в свойствах "
                          "документа — «{in_properties}»",
        }),
    ),
    "empty-workbook": Kind(
        "Книга не заполнена",
        "Книга вернулась незаполненной: ни в одной форме нет данных. Заполните бланк и сдайте "
        "его снова.",
    ),
    "workbook-replaced": Kind(
        "Книга заменена",
        "От «{respondent}» есть книга, сохранённая позже: «{used}»; учтена она, а эта нет. "
        "Если учесть нужно эту книгу, уберите другую из папки сданных книг.",
        Severity.WARNING,
    ),
    # A sheet of a returned workbook.
    "missing-sheet": Kind(
        "Нет листа",
        "Лист «{expected}» не найден: его переименовали или удалили. Верните листу прежнее имя "
        "или перенесите данные в новый бланк.",
    ),
    "missing-header": Kind(
        "Нет заголовков",
        "Не найдена строка заголовков таблицы. Не меняйте заголовки столбцов: верните их или "
        "перенесите данные в новый бланк.",
    ),
    "missing-column": Kind(
        "Нет столбца",
        "Нет столбца «{title}»: заголовок изменён или столбец удалён. Верните столбец с "
        "заголовком «{title}».",
    ),
    "extra-column": Kind(
        "Лишний столбец",
        "Столбец «{value}» не из бланка; его данные не учитываются.",
        Severity.WARNING,
    ),
    "header-cleared": Kind(
        "Стёрт заголовок столбца",
        "Заголовок столбца «{title}» стёрт; данные под ним прочитаны как «{title}», потому что "
        "столбец стоит на своём месте в бланке. Верните заголовок «{title}».",
        Severity.WARNING,
    ),
    "unnamed-column": Kind(
        "Данные в столбце без заголовка",
        "Под пустым заголовком есть данные (первая ячейка {first}), и непонятно, что это за "
        "столбец; они не учтены. Впишите заголовок столбца из бланка или перенесите данные "
        "в столбцы бланка.",
    ),
    "plan-rows-empty": Kind(
        "Не заполнены пункты плана",
        "Не заполнены пункты плана ({count}): {parts}. Отметьте статус каждого пункта; "
        "пока в отчёте по ним «Нет сведений».",
    ),
    "fixed-row-missing": Kind(
        "Нет строки плана",
        "Нет строки пункта {part}: её удалили. Верните строку или перенесите данные в новый "
        "бланк.",
    ),
    "prefilled-changed": Kind(
        "Изменён готовый текст",
        "Заранее заполненный текст изменён на «{value}»; в отчёт идёт текст бланка.",
        Severity.WARNING,
    ),
    # One cell.
    "missing-required": Kind(
        "Не заполнено",
        "Не заполнено обязательное поле «{title}». Заполните ячейку.",
    ),
    "bad-number": Kind(
        "Не число",
        "«{value}» — не число. Введите число цифрами, например 12 или 3,5.",
    ),
    "not-integer": Kind(
        "Не целое число",
        "«{value}» — не целое число. Введите целое число.",
    ),
    "out-of-range": Kind(
        "Число вне пределов",
        "Число {shown} вне допустимых пределов: {bounds}. Проверьте значение.",
    ),
    "bad-date": Kind(
        "Не дата",
        "«{value}» — не дата. Введите дату как ДД.ММ.ГГГГ: день, месяц и год цифрами через "
        "точку.",
    ),
    "ambiguous-date": Kind(
        "Неоднозначная дата",
        "Дату «{value}» можно понять двояко (день/месяц или месяц/день). Введите её как "
        "ДД.ММ.ГГГГ.",
    ),
    "date-out-of-range": Kind(
        "Дата вне периода",
        "Дата {shown} вне допустимого периода: {bounds}. Проверьте год и месяц.",
    ),
    "future-date": Kind(
        "Дата в будущем",
        "Дата {shown} ещё не наступила: она позже отчётной даты ({as_of}) и дня, когда книга "
        "сохранена. Проверьте дату.",
    ),
    "date-from-number": Kind(
        "Дата числом",
        "Дата записана числом {value}; понята как {shown}. Проверьте её.",
        Severity.WARNING,
    ),
    "date-month-first": Kind(
        "Дата в формате месяц/день",
        "Дата «{value}» понята как {shown} (месяц/день/год). Проверьте её.",
        Severity.WARNING,
    ),
    "unknown-choice": Kind(
        "Нет в списке",
        "«{value}» нет в списке. Выберите из списка: {choices}.",
    ),
    "bad-class": Kind(
        "Не класс",
        "«{value}» не похоже на класс. Пишите класс так: 5А.",
    ),
    "unknown-class": Kind(
        "Нет такого класса",
        "Класса «{shown}» нет в списке классов школы. Выберите класс из списка.",
    ),
    "too-long": Kind(
        "Слишком длинный текст",
        "Текст длиннее {limit} знаков ({length}). Сократите его.",
    ),
    "formula-value": Kind(
        "Формула",
        "В ячейке формула; взято её значение «{value}». Вводите значения, а не формулы.",
        Severity.WARNING,
    ),
    "cell-error": Kind(
        "Ошибка в ячейке",
        "В ячейке «{title}» не значение, а ошибка {value} (формула не вычислилась или значение "
        "вставлено из другой книги). Введите в ячейку само значение.",
    ),
    "rule-le": Kind(
        "Не сходятся числа",
        "{left} больше, чем «{right}». Проверьте значения.",
        own="{rule_message}",
    ),
    "rule-required": Kind(
        "Не заполнено по условию",
        "При «{field}» = «{equals}» нужно заполнить: {then}.",
        own="{rule_message}",
    ),
    "duplicate-row": Kind(
        "Повтор",
        "Такая строка уже есть. Удалите повтор. Первая запись — строка {first}.",
        own="{rule_message} Первая запись — строка {first}.",
    ),
    "duplicate-entry": Kind(
        "Повтор в разных книгах",
        "«{shown}» уже есть в книге «{other}» (лист «{sheet}», строка {row}). Удалите повтор.",
    ),
    "bad-period": Kind(
        "Неверный период",
        "Период «{value}» не понят. Укажите месяц отчёта: ГГГГ-04 (октябрь – март) или "
        "ГГГГ-10 (апрель – сентябрь), например 2026-04.",
    ),
    "bad-period-range": Kind(
        "Неверный период",
        "Период {value}: начало позже конца. Проверьте даты --from и --to.",
    ),
    "bad-as-of": Kind(
        "Неверная отчётная дата",
        "Отчётная дата {value} раньше начала периода ({start}). Укажите в --as-of дату не "
        "раньше начала периода.",
    ),
    "output-locked": Kind(
        "Файл открыт",
        "Файл открыт в Excel или LibreOffice (рядом лежит «{lock}»). Закройте его и запустите "
        "команду снова; файл не изменён.",
    ),
    "output-failed": Kind(
        "Не удалось записать",
        "Файл не удалось записать: {reason}. Прежний файл не изменён.",
    ),
    "output-is-input": Kind(
        "Отчёт на месте исходных файлов",
        "Отчёт нельзя записать в этот файл: здесь {what}, отчёт заменил бы их. Укажите "
        "другой файл, например в папке «{reports}»; ничего не записано.",
    ),
    "report-not-written": Kind(
        "Отчёт не записан",
        "Отчёт не записан, прежний отчёт не изменён: книги, названные выше, не удалось "
        "прочитать. Исправьте доступ к ним и запустите команду снова.",
    ),
    "folder-unreadable": Kind(
        "Папка не читается",
        "Папку «{folder}» не удалось прочитать: {reason}. Книги из неё не проверены, "
        "поэтому отчёт не пишется. Исправьте доступ к папке и запустите команду снова.",
    ),
    "reader-failed": Kind(
        "Чтение не запустилось",
        "Не удалось запустить процессы, которые читают книги (код завершения {code}). "
        "Запустите команду ещё раз; если ошибка повторится, сообщите разработчикам. "
        "Файлы не изменены.",
    ),
    "temp-failed": Kind(
        "Временный файл не записан",
        "{why}. Команда остановлена: ничего не записано, файлы не изменены. Временную папку "
        "можно сменить переменной окружения TMPDIR.",
        variants=Frozen({
            "write": "Не удалось записать временный файл в папку «{folder}»: {reason}",
            "read": "Не удалось прочитать временный файл в папке «{folder}»: {reason}",
            "none": "Не удалось записать временный файл: ни в одну временную папку нельзя "
                    "писать",
        }),
    ),
    "generate-into-returned": Kind(
        "Бланки в папку сданных книг",
        "Бланки нельзя записывать в папку сданных книг: там они смешаются с заполненными. "
        "Укажите другую папку.",
    ),
    "review-into-returned": Kind(
        "Копии в папку сданных книг",
        "Копии на исправление нельзя записывать в папку сданных книг или в папку, которая "
        "проверяется: при следующей проверке они будут прочитаны как сданные книги. Укажите "
        "другую папку в -o.",
    ),
    "generate-unsafe-name": Kind(
        "Недопустимое имя файла",
        "Из имени респондента не получилось безопасное имя файла. Измените имя в ibc-xls.toml.",
    ),
    # Returned files that cannot be read at all (ibc_xls.reading.sniff, rawread, isolate).
    "file-empty": Kind(
        "Пустой файл",
        "Файл пустой (0 байт): книга не сохранилась или не докачалась. "
        "Попросите прислать её ещё раз.",
    ),
    "file-not-workbook": Kind(
        "Не книга Excel",
        "Это не книга Excel или LibreOffice, а {what}. Уберите файл из папки «{folder}» "
        "или попросите прислать вместо него книгу Excel (.xlsx).",
    ),
    "file-truncated": Kind(
        "Файл оборван",
        "Файл записан не до конца: например, не докачался из почты или не скопировался "
        "целиком. Скачайте или скопируйте его заново либо попросите прислать ещё раз.",
    ),
    "file-encrypted": Kind(
        "Книга под паролем",
        "Книга защищена паролем на открытие, поэтому её нельзя прочитать. Попросите автора "
        "открыть книгу, снять пароль и сохранить книгу без пароля.",
    ),
    "file-html": Kind(
        "Веб-страница вместо книги",
        "Это не настоящая книга Excel, а веб-страница (HTML) или таблица XML, сохранённая "
        "с расширением .xls. Откройте файл в Excel и сохраните как «Книга Excel (.xlsx)».",
    ),
    "file-too-large": Kind(
        "Книга слишком велика",
        "Книгу нельзя прочитать безопасно: {why}. Удалите лишние строки и столбцы "
        "(особенно пустые, но оформленные до конца листа) и сохраните книгу заново; "
        "если книга не должна быть такой, попросите прислать её ещё раз.",
        variants=Frozen({
            # Found in the file before it is read (reading.sniff, reading.files).
            "file-size": "файл занимает {size:.0f} МБ, допустимо не больше {limit:.0f} МБ",
            "grew": "файл больше {limit:.0f} МБ",
            "parts": "в архиве книги {count} частей, допустимо не больше {limit}",
            "unpacked": "в распакованном виде книга занимает {size}, допустимо не больше "
                        "{limit} МБ",
            "ratio": "часть {name} сжата в {ratio:.0f} раз (так устроены «архивные бомбы»)",
            "past-size": "часть {name} намного больше заявленного размера (архив подделан)",
            "rows": "лист «{sheet}» доходит до строки {rows}, допустимо не больше {limit}",
            "cells": "лист «{sheet}» занимает {cells} ячеек, допустимо не больше {limit}",
            # Met while it is read (reading.rawread) or by the limits of the reading process
            # (reading.isolate).
            "sheet-rows": "на листе «{sheet}» {rows} строк, допустимо не больше {limit}",
            "too-many-cells": "на листе слишком много ячеек",
            "formula-repeated": "на листе «{sheet}» формула повторена в {cells} ячейках",
            "out-of-memory": "на чтение не хватило памяти",
            "wall": "чтение длилось дольше {seconds:g} с",
            "cpu": "чтение заняло больше {seconds} с процессорного времени",
            "memory": "чтение потребовало больше {mb} МБ памяти",
        }),
    ),
    "file-unsafe": Kind(
        "Подозрительный файл",
        "Книга устроена не так, как пишут её Excel и LibreOffice ({why}); такие файлы "
        "используют для атак, поэтому она не прочитана. Попросите прислать книгу, заново "
        "сохранённую в Excel или LibreOffice.",
        variants=Frozen({
            "absolute-path": "абсолютный путь внутри архива: {name}",
            "parent-path": "путь «..» внутри архива: {name}",
            "nul-in-name": "нулевой символ в имени части архива: {name!r}",
            "same-name": "две части архива с одним именем: {name}",
            "overlap": "части архива накладываются друг на друга",
            "doctype": "объявление DOCTYPE в части {name}",
            "odd-start": "непонятное начало части {name}",
        }),
    ),
    "file-unreadable": Kind(
        "Книга не читается",
        "Книгу не удалось прочитать: {why}. Откройте её в Excel или LibreOffice; если "
        "откроется, сохраните как новую книгу .xlsx, если нет, попросите прислать её ещё раз.",
        variants=Frozen({
            "zip-broken": "архив книги повреждён",
            "compression": "книга сжата необычным способом",
            "not-xml": "часть книги не является XML",
            "no-sheet-list": "книга повреждена: в ней нет списка листов (части xl/workbook.xml)",
            "broken": "книга повреждена или записана с ошибками",
            "not-a-file": "это не файл, а папка или устройство",
            "not-found": "файл не найден: его переместили или удалили",
            "crashed": "программа чтения аварийно остановилась на этом файле",
        }),
    ),
    "file-system-refused": Kind(
        "Система не дала прочитать файл",
        "Файл не удалось прочитать: {os_reason}. Книга не проверена; когда причина "
        "устранена, запустите команду снова.",
    ),
    "file-busy": Kind(
        "Файл занят",
        "Файл открыт в другой программе или к нему нет доступа. Закройте файл в Excel "
        "и запустите снова.",
    ),
    # School reports at the education office (ibc-xls rollup).
    "office-config-missing": Kind(
        "Нет файла настроек управления",
        "Файл настроек управления не найден. Создайте рабочую папку управления командой "
        "«ibc-xls init --office ПАПКА» или укажите путь к ней.",
    ),
    "report-not-report": Kind(
        "Не отчёт школы",
        "Это не отчёт школы, собранный ibc-xls: {what}. Уберите файл из папки полученных "
        "отчётов или попросите школу прислать отчёт (его делает ibc-xls collect).",
    ),
    "report-format": Kind(
        "Другая версия формата отчёта",
        "Отчёт записан в версии формата {found}, а эта версия ibc-xls читает версию {expected}. "
        "Попросите школу собрать отчёт заново (ibc-xls collect) версией ibc-xls, как у "
        "управления, или обновите ibc-xls.",
    ),
    "report-table-missing": Kind(
        "Нет таблицы отчёта",
        "Таблица «{table}» не найдена: лист удалён или заголовки таблицы изменены. Её цифры не "
        "учтены; попросите школу прислать отчёт заново.",
    ),
    "report-unknown-school": Kind(
        "Школы нет в списке",
        "Школы «{school}» нет в списке школ управления ({config}), поэтому отчёт не учтён. "
        "Если это ваша школа, добавьте её в файл настроек блоком [[schools]] с "
        "short = \"{school}\".",
    ),
    "report-other-period": Kind(
        "Отчёт другого периода",
        "Это {found}, а сводка собирается за период {expected}, поэтому отчёт не учтён. Чтобы "
        "увидеть отчёты всех периодов в динамике, запустите ibc-xls rollup с --all-periods.",
        Severity.WARNING,
    ),
    "report-replaced": Kind(
        "Отчёт заменён",
        "От школы «{school}» за этот период есть отчёт, собранный позже: «{used}»; учтён он, "
        "а этот нет. Если учесть нужно этот отчёт, уберите другой из папки полученных.",
        Severity.WARNING,
    ),
    "report-figure-mismatch": Kind(
        "Показатель не сходится с таблицей",
        "Показатель «{label}» равен {found}, а по таблице «{table}» того же отчёта выходит "
        "{expected}: отчёт изменён вручную. Цифры школы не вошли в итоги сводки; попросите "
        "школу собрать отчёт заново (ibc-xls collect).",
    ),
    "report-total-mismatch": Kind(
        "Итог не сходится со строками",
        "Итог «{column}» таблицы «{table}» равен {found}, а сумма её строк — {expected}: отчёт "
        "изменён вручную. Цифры школы не вошли в итоги сводки; попросите школу собрать отчёт "
        "заново (ibc-xls collect).",
    ),
    "config-missing": Kind(
        "Нет файла настроек",
        "Файл настроек не найден; ibc-xls.toml искали в папках: {folders}. Укажите рабочую "
        "папку школы (где лежит ibc-xls.toml) или создайте её командой «ibc-xls init ПАПКА».",
    ),
    "not-returns": Kind(
        "Не сданные книги",
        "Здесь не сданные книги, а {what}: проверяются только книги из папки «{returned}». "
        "Укажите рабочую папку школы, папку «{returned}» или файлы в ней.",
    ),
}


# What lies in a place of the working folder (keys of Config.folders, and the settings file):
# «Здесь не сданные книги, а {what}».
PLACES = {
    "settings": "настройки школы",
    "templates": "шаблоны форм",
    "outgoing": "бланки для рассылки",
    "reports": "отчёты",
    "returned": "сданные книги",
    "review": "копии на исправление",
}


# Why a file is no school report: «Это не отчёт школы, собранный ibc-xls: {what}»
# (``report-not-report``); the «{found}» of ``report-format`` for a report without a version.
NOT_A_REPORT = {
    "passport-deleted": "лист «{sheet}» удалён из отчёта",
    "no-passport": "в книге нет скрытого листа «{sheet}» отчёта",
    "summary": "это сводка управления, а не отчёт школы",
    "blank": "это книга, которую заполняют в школе (бланк), а не отчёт школы",
    "other": "это книга другого вида",
}
NO_FORMAT = "без номера (старая)"
# Where else an office's school is listed (``toml-duplicate``'s «where»).
OFFICE_SETTINGS = {
    "duplicate": " в schools[{index}]",
}


# The operating system's errors in Russian, each with what to do; for reading and for writing.
_OS_REASONS: dict[int, tuple[str, str]] = {
    errno.EACCES: ("нет прав на чтение: попросите администратора компьютера дать доступ",
                   "нет прав на запись: укажите другую папку или попросите администратора "
                   "компьютера дать доступ"),
    errno.EPERM: ("операция запрещена: попросите администратора компьютера дать доступ",
                  "запись запрещена (файл или папка защищены от изменения): снимите защиту "
                  "или укажите другой файл"),
    errno.ENOSPC: ("на диске нет места", "на диске нет места: освободите место на диске"),
    errno.EDQUOT: ("исчерпана квота на диске",
                   "исчерпана ваша квота на диске: освободите место или попросите "
                   "администратора увеличить квоту"),
    errno.EROFS: ("диск доступен только для чтения",
                  "диск или папка доступны только для чтения (например, защищённая флешка или "
                  "сетевая папка): укажите другую папку"),
    # Writing, only making a folder meets an existing name (a temporary file takes another).
    errno.EEXIST: ("файл уже существует", "на месте папки лежит файл с тем же именем: "
                   "переименуйте его или укажите другую папку"),
    errno.ENOENT: ("файл или папка не найдены: их переместили или удалили",
                   "папка не найдена: её переместили или удалили; укажите другую папку"),
    errno.ENOTDIR: ("на месте папки лежит файл", "на месте папки лежит файл с тем же "
                    "именем: переименуйте его или укажите другую папку"),
    errno.EISDIR: ("это папка, а не файл", "на месте файла лежит папка с тем же именем: "
                   "укажите другое имя файла"),
    errno.ENAMETOOLONG: ("слишком длинное имя или путь", "слишком длинное имя или путь: "
                         "укажите папку поближе к корню диска"),
    errno.EIO: ("ошибка чтения с диска: проверьте диск или флешку",
                "ошибка записи на диск: проверьте диск или флешку"),
    errno.EBUSY: ("файл занят другой программой: закройте её",
                  "файл занят другой программой: закройте её"),
    errno.EMFILE: ("открыто слишком много файлов: закройте лишние программы",
                   "открыто слишком много файлов: закройте лишние программы"),
    errno.ELOOP: ("ссылки на файл ведут по кругу", "ссылки на файл ведут по кругу"),
    errno.EINVAL: ("недопустимое имя файла или папки",
                   "недопустимое имя файла: укажите имя без знаков \\ / : * ? \" < > |"),
}


def os_reason(exc: OSError, writing: bool = False) -> str:
    """Why the operating system refused, in Russian, with what to do (never its English
    text)."""
    reasons = _OS_REASONS.get(exc.errno or 0)
    if reasons:
        return reasons[writing]
    code = errno.errorcode.get(exc.errno or 0, exc.errno) if exc.errno else "без кода"
    action = "запись" if writing else "чтение"
    return f"операционная система не разрешила {action} (ошибка {code})"


# Characters that must not reach a terminal as they are: control characters (they move the
# cursor, recolour, erase lines: «5А\rFAKE — принят»), the marks that reverse the direction of
# text, and the lone surrogates by which Python keeps the bytes of a file name that is not
# UTF-8.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match[0]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a name that is not UTF-8, as the byte
        return f"\\x{code - 0xDC00:02x}"
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text: str) -> str:
    """``text`` safe to print: control characters and the like shown as escapes (``\\x1b``,
    ``\\r``, ``\\u202e``), the bytes of a name that is not UTF-8 as ``\\xff``."""
    return _HIDDEN.sub(_escape, text) if _HIDDEN.search(text) else text


def shown(value: object) -> str:
    """A value as a Russian reader expects to see it: ``11`` not ``11.0``, ``3,5``,
    ``05.09.2025``, ``ИСТИНА`` (as Russian Excel shows a logical value)."""
    if isinstance(value, bool):
        return "ИСТИНА" if value else "ЛОЖЬ"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M") if value.time() else value.strftime("%d.%m.%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return "" if value is None else str(value)


class _Unset:
    """What a template shows for a parameter its caller did not give, whatever its format
    (``{size:.0f}``, ``{name!r}``)."""

    def __format__(self, spec: str) -> str:
        return "…"

    def __repr__(self) -> str:
        return "…"


_UNSET = _Unset()


class _Given(dict):
    """A problem's parameters as its template reads them: one not given is ``_UNSET``."""

    def __missing__(self, key: str) -> _Unset:
        return _UNSET


class _Lenient(string.Formatter):
    """Formats a value that its field's format does not fit (a text for ``{size:.0f}``) as
    it is."""

    def format_field(self, value: object, format_spec: str) -> str:
        try:
            return format(value, format_spec)
        except (TypeError, ValueError):
            return str(value)


def _fill(template: str, params: _Given) -> str:
    try:
        return template.format_map(params)
    except (TypeError, ValueError):
        # A parameter of another type than its caller meant: slower, but still a message.
        return _Lenient().vformat(template, (), params)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows."""

    code: str
    file: str = ""
    sheet: str = ""
    field: str = ""
    value: object = None
    params: dict = dataclasses.field(default_factory=dict, compare=False, hash=False)
    # The cell's position as a value, zero-based: both or neither (None for a problem about a
    # whole sheet, a file, or a settings key). A problem is never given an A1 text to parse
    # back; ``cell`` is derived, so a check cannot name a cell and lose its row.
    row: int | None = dataclasses.field(default=None, compare=False)
    col: int | None = dataclasses.field(default=None, compare=False)
    cell: str = dataclasses.field(init=False, default="")  # the A1 text people read

    def __post_init__(self) -> None:
        if (self.row is None) != (self.col is None):
            raise ValueError(f"{self.code}: a cell's position needs both row and column")
        if self.row is not None:
            if not self.sheet:
                raise ValueError(f"{self.code}: a cell's position needs its sheet")
            if self.row < 0 or self.col < 0:
                raise ValueError(f"{self.code}: a cell's position is zero-based, not negative")
            object.__setattr__(self, "cell", a1(self.row, self.col))

    @property
    def kind(self) -> Kind:
        return CATALOGUE[self.code]

    @property
    def severity(self) -> Severity:
        return self.kind.severity

    @property
    def message(self) -> str:
        """The Russian explanation: what is wrong and what to do. Never raises: a parameter
        that was not given, and a variant that is not in the catalogue, are shown as «…»."""
        kind = self.kind
        template = kind.own if kind.own and self.params.get("rule_message") else kind.template
        params = _Given(self.params)
        params["value"] = shown(self.value)
        if kind.variants:
            variant = kind.variants.get(self.params.get("why"))
            params["why"] = _UNSET if variant is None else _fill(variant, params)
        return _fill(template, params)

    def where(self) -> str:
        """File, sheet and cell (or key) in Russian, as much as is known."""
        parts = []
        if self.file:
            parts.append(f"Файл «{self.file}»")
        if self.sheet:
            parts.append(f"лист «{self.sheet}»")
        if self.cell:
            parts.append(f"ячейка {self.cell}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


def in_folder(problem: Problem, file: str, folder: str) -> Problem:
    """A file's ``problem`` (from the reader, which knows neither) named by ``file``, read from
    ``folder`` as the user knows it («сданные», «полученные»): the messages that say to take a
    file out name the folder it was read from."""
    return dataclasses.replace(problem, file=file, params={**problem.params, "folder": folder})


class IbcError(Exception):
    """A failure that stops a command; carries the problems that explain it."""

    def __init__(self, problems: Problem | list[Problem]):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        # Said when shown, not when raised: a reader's problem learns the folder it was read
        # from (``in_folder``) only after it has left the reading process.
        return "\n".join(str(p) for p in self.problems)
