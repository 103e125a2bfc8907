"""The letter template renderer and the number format: what village-edited text can do."""

from __future__ import annotations

from datetime import date

import pytest

from balai.errors import BalaiError
from services.letters.numbering import month_roman, number_format, number_format_check
from services.letters.rendering import (
    name_mask,
    template_check,
    template_render,
)


def _error_fields(error: BalaiError) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in error.errors]


def test_placeholders_are_filled_from_the_letter_context_only():
    html = template_render(
        text="Nama : {{ nama }}\nUsaha : {{ field.nama_usaha }}",
        context={"nama": "Siti Aminah", "field.nama_usaha": "Warung Kopi"},
    )

    assert "Siti Aminah" in html
    assert "Warung Kopi" in html
    assert "<table class='data'>" in html  # "Label : value" lines become a table


def test_text_and_values_are_html_escaped():
    # given: a template with markup and Django template syntax, and a value with markup
    text = "<script>alert(1)</script> {% now 'Y' %} {{ nama }}"

    # when
    html = template_render(text=text, context={"nama": "<b>Budi</b>"})

    # then: nothing is interpreted: the markup and the tag come out as text
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{% now &#x27;Y&#x27; %}" in html
    assert "&lt;b&gt;Budi&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "placeholder",
    ["gaji", "resident", "field.tidak_ada", "nik_ayah"],
)
def test_unknown_placeholder_is_refused_naming_it(placeholder):
    with pytest.raises(BalaiError) as caught:
        template_check(text=f"Halo {{{{ {placeholder} }}}}", field_names=["nama_usaha"])

    assert _error_fields(caught.value) == [("template", "unknown_placeholder")]
    assert placeholder in caught.value.errors[0].message
    assert placeholder in caught.value.errors[0].message_en


@pytest.mark.parametrize(
    "text",
    [
        "{{ nama.__class__ }}",
        "{{ nama|upper }}",
        "{{ __import__('os') }}",
        "{{ field.x.y }}",
        "{{ resident.nik }}",
        "{{ settings.SECRET_KEY }}",
    ],
)
def test_anything_but_a_plain_name_is_not_a_placeholder(text):
    with pytest.raises(BalaiError) as caught:
        template_check(text=text, field_names=["x"])

    assert _error_fields(caught.value) == [("template", "invalid_placeholder")]


def test_unbalanced_braces_are_reported():
    with pytest.raises(BalaiError) as caught:
        template_check(text="Nama {{ nama", field_names=[])

    assert _error_fields(caught.value) == [("template", "unbalanced_braces")]


def test_declared_extra_fields_are_known_placeholders():
    template_check(text="{{ nama }} {{ field.nama_usaha }} {{ nomor }}", field_names=["nama_usaha"])


def test_masked_name_keeps_only_initials():
    assert name_mask("Siti Aminah") == "S*** A*****"
    assert name_mask("  Budi  ") == "B***"


def test_default_number_format():
    number = number_format(
        text="{classification}/{seq:03d}/{village_code}/{month_roman}/{year}",
        classification="470",
        seq=12,
        village_code="2001",
        on=date(2026, 9, 3),
        type_code="domisili",
    )

    assert number == "470/012/2001/IX/2026"
    assert [month_roman(m) for m in (1, 4, 12)] == ["I", "IV", "XII"]


@pytest.mark.parametrize(
    "text",
    [
        "{seq.__class__}/{year}",
        "{seq[0]}/{year}",
        "{classification!r}/{seq}/{year}",
        "{gaji}/{seq}/{year}",
        "{classification}/{year}",  # no sequence: every letter would get the same number
        "{classification}/{seq}",  # no year: the yearly restart would repeat numbers
        "{classification:>{seq}}/{seq}/{year}",
        "{seq:,}/{year}",
    ],
)
def test_number_formats_that_could_misbehave_are_refused(text):
    with pytest.raises(BalaiError) as caught:
        number_format_check(text)

    assert _error_fields(caught.value) == [("number_format", "invalid_number_format")]


def test_a_custom_number_format_is_accepted():
    number_format_check("{seq:04d}/{type_code}/{village_code}/{month:02d}/{year}")
