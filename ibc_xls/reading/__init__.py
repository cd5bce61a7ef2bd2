"""Returned files → forms: what a file is, reading it safely in isolation, the forms in it."""
