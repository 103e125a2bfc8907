"""Which texts an export writes as plain text rather than letting a spreadsheet run them."""

from decimal import Decimal

import pytest

from balai.spreadsheets import spreadsheet_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("\t=1", "'\t=1"),
        ("+62 812-3456-7890", "+62 812-3456-7890"),
        ("-5", "-5"),
        ("Siti Aminah", "Siti Aminah"),
        ("", ""),
        (None, ""),
        (Decimal("1250000.50"), "1250000.50"),
        (7, 7),
    ],
)
def test_formula_like_text_is_quoted_and_the_rest_kept(value, cell):
    assert spreadsheet_cell(value) == cell
