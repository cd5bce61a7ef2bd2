"""ibc-xls: a school information-library centre's reporting through ordinary Excel workbooks."""

__version__ = "0.1.0"
