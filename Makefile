PY ?= .venv/bin/python

.PHONY: test lint docs
test:
	$(PY) -m pytest
lint:
	$(PY) -m ruff check ibc_xls tests scripts benchmarks
docs:
	$(PY) scripts/readme_cli.py
