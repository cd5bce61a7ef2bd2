"""``ibc-xls rollup``: the education office combines the report workbooks of its schools.

``office`` reads the office's settings (``ibc-xls-office.toml``); ``readreport`` reads one
school report, located by its «Паспорт» sheet, in an isolated worker; ``combine`` chooses the
reports that count, checks each against its own tables and computes every table of the
summary (pandas, no I/O); ``workbook`` writes the summary workbook with the report's sheet
builder; ``run`` ties them together.
"""
