"""The form specs: what a blank holds and what the report makes of it (TOML in templates/)."""
