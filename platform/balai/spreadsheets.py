"""Cells of the files people open in a spreadsheet (CSV and .xlsx exports).

A text that starts like a formula (``=HYPERLINK(...)``, ``@SUM``, ``+cmd|...``) is run by
Excel or LibreOffice when the file is opened: a name typed into the register, a complaint
or a shop listing must not become one. Such a text is written with a leading apostrophe,
which spreadsheets show as plain text. Phone numbers and signed numbers (``+62 812-...``,
``-5``) are left alone.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

FORMULA_START = ("=", "@", "\t", "\r")
NUMBER_LIKE = re.compile(r"^[+-][\d\s().,-]*$")


class Echo:
    """A file-like object whose write returns the text, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def text_is_formula_like(value: str) -> bool:
    if not value:
        return False
    if value[0] in FORMULA_START:
        return True
    return value[0] in "+-" and not NUMBER_LIKE.match(value)


def spreadsheet_cell(value: Any) -> Any:
    """``value`` as a CSV cell: formula-like text quoted, decimals plain, None empty."""
    if isinstance(value, str) and text_is_formula_like(value):
        return "'" + value
    if isinstance(value, Decimal):
        return f"{value:f}"
    return "" if value is None else value
