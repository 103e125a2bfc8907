"""The SVG charts: sizes follow the figures, labels are escaped, empty data draws nothing."""

from datetime import date
from xml.etree import ElementTree

from frontend.charts import (
    Bar,
    BarGroup,
    PyramidRow,
    Series,
    bar_chart,
    grouped_bar_chart,
    line_chart,
    population_pyramid,
)

SVG = "{http://www.w3.org/2000/svg}"


def _rects(svg: str) -> list[ElementTree.Element]:
    return ElementTree.fromstring(svg).findall(f"{SVG}rect")


def test_bars_are_as_long_as_their_share_of_the_largest_value():
    svg = bar_chart([Bar("Dusun I", 100), Bar("Dusun II", 50)], title="Penduduk per dusun")
    widths = [float(rect.get("width")) for rect in _rects(svg)]
    assert widths[0] == 2 * widths[1]
    assert "<title>Penduduk per dusun</title>" in svg
    assert 'role="img"' in svg


def test_labels_are_escaped():
    svg = bar_chart([Bar("<script>", 1)], title="a & b")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    ElementTree.fromstring(svg)  # still well-formed XML


def test_grouped_bars_draw_one_bar_per_series_and_a_legend():
    svg = grouped_bar_chart(
        [BarGroup("Belanja", [1000, 600]), BarGroup("Pendapatan", [2000, 2000])],
        series=["Anggaran", "Realisasi"],
        title="APBDes",
    )
    # 4 bars and 2 legend swatches
    assert len(_rects(svg)) == 6
    assert "Realisasi" in svg
    assert "2.000" in svg  # Indonesian grouping


def test_the_pyramid_puts_men_left_and_women_right_of_the_middle():
    svg = population_pyramid(
        [PyramidRow("0-4", 10, 5), PyramidRow("5-9", 4, 8)],
        title="Piramida",
        male="Laki-laki",
        female="Perempuan",
    )
    rects = _rects(svg)
    male_young, female_young = rects[0], rects[1]
    assert float(male_young.get("x")) + float(male_young.get("width")) <= float(
        female_young.get("x")
    )
    assert float(female_young.get("width")) == float(male_young.get("width")) / 2


def test_a_line_per_series_and_nothing_drawn_without_data():
    svg = line_chart(
        [Series("Penduduk", [(date(2026, 1, 1), 10), (date(2026, 2, 1), 20)])], title="Tren"
    )
    assert ElementTree.fromstring(svg).find(f"{SVG}polyline") is not None
    assert "01/01/2026" in svg
    empty = line_chart([], title="Tren")
    assert "polyline" not in empty
