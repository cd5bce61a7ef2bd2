"""Copies of returned workbooks for their respondents, with each problem marked."""
