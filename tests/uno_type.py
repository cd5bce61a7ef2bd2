"""Type values into a workbook in a real LibreOffice Calc, as a person would, and save it.

Run with the Python that has LibreOffice's ``uno`` module (Debian: ``/usr/bin/python3`` with
``python3-uno``), not with the project's venv:

    /usr/bin/python3 tests/uno_type.py < job.json

The job (JSON): ``source`` and ``target`` paths, ``edits``: a list of [sheet, cell, text], and
``inspect``: sheet names whose print setup to report. Each text goes in through
``setFormula`` under a Russian locale, as typed into the cell: «14.10.2026» becomes a date,
«12» a number, anything else text. The workbook is saved as Excel 2007-365 (.xlsx). Prints a
JSON object: each inspected sheet's page width and height (1/100 mm) and print scale.

soffice runs headless with a private, throw-away profile and is ended by its process id.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.lang import Locale


def _props(**values) -> tuple:
    result = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        result.append(prop)
    return tuple(result)


def _connect(pipe: str, deadline: float):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main() -> None:
    job = json.load(sys.stdin)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    profile = tempfile.mkdtemp(prefix="ibc-xls-uno-profile-")
    pipe = f"ibc_xls_uno_{os.getpid()}"
    proc = subprocess.Popen(
        [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--invisible",
         "--nologo", "--nodefault", "--nolockcheck", "--norestore",
         f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        ctx = _connect(pipe, time.monotonic() + 120)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(Path(job["source"]).resolve().as_uri(), "_blank", 0,
                                           _props(Hidden=True))
        locale = Locale()
        locale.Language, locale.Country = "ru", "RU"
        doc.CharLocale = locale  # the document's language: how typed dates and numbers parse
        for sheet, cell, text in job["edits"]:
            doc.Sheets.getByName(sheet).getCellRangeByName(cell).setFormula(text)
        result = {}
        styles = doc.StyleFamilies.getByName("PageStyles")
        for sheet in job.get("inspect", []):
            style = styles.getByName(doc.Sheets.getByName(sheet).PageStyle)
            result[sheet] = {"width": style.Size.Width, "height": style.Size.Height,
                             "scale": style.PageScale}
        doc.storeToURL(Path(job["target"]).resolve().as_uri(),
                       _props(FilterName="Calc MS Excel 2007 XML"))
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass  # the bridge goes down with the office
        print(json.dumps(result))
    finally:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
