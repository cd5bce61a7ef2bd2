"""Blank workbooks from the specs (`ibc-xls generate`)."""
