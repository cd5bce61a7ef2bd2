"""Click in Russian: the framework's own words (Usage, Options, Error, …) as the user reads them.

Click marks its messages for gettext but ships no translations, and gettext chooses a language
from the environment, which a Windows machine rarely sets. So the CLI installs this small
table into click's modules; a message missing from it stays in English rather than failing.
"""

from __future__ import annotations

import importlib

MESSAGES = {
    "Usage:": "Использование:",
    "Options": "Параметры",
    "Commands": "Команды",
    "Show this message and exit.": "Показать эту справку и выйти.",
    "Show the version and exit.": "Показать версию и выйти.",
    "Error: {message}": "Ошибка: {message}",
    "Try '{command} {option}' for help.": "Справка: {command} {option}",
    "No such option {name!r}.": "Нет такого параметра {name!r}.",
    "No such command {name!r}.": "Нет такой команды {name!r}.",
    "Missing command.": "Не указана команда.",
    "Missing argument": "Не указан аргумент",
    "Missing option": "Не указан параметр",
    "Missing parameter": "Не указан параметр",
    "Missing parameter: {param_name}": "Не указан параметр: {param_name}",
    "Invalid value for {param_hint}: {message}": "Недопустимое значение {param_hint}: {message}",
    "Invalid value: {message}": "Недопустимое значение: {message}",
    "Option {name!r} does not take a value.": "Параметр {name!r} не принимает значения.",
    "Aborted!": "Прервано.",
    "directory": "папка",
    "file": "файл",
    "path": "путь",
    "{name} {filename!r} does not exist.": "{name} {filename!r} не существует.",
    "{name} {filename!r} is a file.": "{name} {filename!r} — это файл, а не папка.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} — это папка, а не файл.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} нельзя прочитать.",
    "{name} {filename!r} is not writable.": "В {name} {filename!r} нельзя записать.",
    "default: {default}": "по умолчанию: {default}",
    "{value!r} is not a valid {number_type}.": "{value!r} — недопустимое число.",
    "{value} is not in the range {range}.": "{value} вне диапазона {range}.",
}
PLURALS = {
    "Got unexpected extra argument ({args})": "Лишние аргументы ({args})",
    "Did you mean {possibility}?": "Возможно, имелось в виду {possibility}?",
    "Option {name!r} requires an argument.": "Параметру {name!r} нужно значение.",
    "{value!r} is not {choice}.": "{value!r} — не из списка: {choices}.",
}
PLURALS_OTHER = {
    "Did you mean {possibility}?": "(Возможно, имелось в виду одно из: {possibilities}?)",
    "Option {name!r} requires an argument.": "Параметру {name!r} нужно значений: {nargs}.",
}
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types",
           "utils")


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if n != 1 and singular in PLURALS_OTHER:
        return PLURALS_OTHER[singular]
    return PLURALS.get(singular, singular if n == 1 else plural)


def install() -> None:
    """Point click's message lookups at the Russian table."""
    for name in MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
