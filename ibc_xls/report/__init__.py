"""Checked results → the consolidated report workbook (`ibc-xls collect`)."""
