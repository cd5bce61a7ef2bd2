"""The school's settings: ibc-xls.toml, the working folder, who fills what, report periods."""
