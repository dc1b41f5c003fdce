"""The case report's charts (reports/pdf_charts.py): a panel the case page
lays out, redrawn with matplotlib as SVG — with its title, axis titles and
units, labelled cutoff, the members' colours of the one palette, each line
named, an open alert ringed — and the cutoff's words kept off the lines."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from tether.care.svg import Guide, Mark, Series, draw
from tether.core import palette
from tether.reports.pdf_charts import MM, _place, panel_chart, small_multiples

SVG = "{http://www.w3.org/2000/svg}"


def pcl5_panel(title="PTSD symptoms (PCL-5)"):
    return draw(
        "pcl5-chart",
        title,
        "",
        [
            Series(
                "member:1",
                "Leo",
                palette.person(0),
                ((1, 52.0), (2, 44.0), (3, 30.0)),
                marks=(Mark(3, "open alert: worsening (Leo)", "red"),),
            ),
            Series("member:2", "Maria", palette.person(1), ((1, 20.0), (3, 24.0))),
        ],
        (1, 3),
        (0, 80),
        x_title="Session",
        y_title="PCL-5 total (0–80)",
        guides=[Guide(33, 33, palette.CUTOFF, "cutoff 33: probable PTSD")],
    )


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]


def test_a_chart_is_an_svg_of_the_size_asked_for():
    chart = panel_chart(pcl5_panel(), 88, 50)
    root = ET.fromstring(chart.svg)
    assert root.tag == f"{SVG}svg"
    width = float(root.get("width").removesuffix("pt"))
    height = float(root.get("height").removesuffix("pt"))
    assert round(width / 72 / MM) == 88
    assert round(height / 72 / MM) == 50


def test_it_has_its_title_axis_titles_with_units_cutoff_and_line_names():
    shown = texts(panel_chart(pcl5_panel(), 88, 50).svg)
    for words in (
        "PTSD symptoms (PCL-5)",
        "Session",
        "PCL-5 total (0–80)",
        "cutoff 33: probable PTSD",
        "Leo",
        "Maria",
    ):
        assert words in shown, words


def test_the_report_may_leave_the_title_to_its_heading():
    shown = texts(panel_chart(pcl5_panel(), 88, 50, titled=False).svg)
    assert "PTSD symptoms (PCL-5)" not in shown
    assert "PCL-5 total (0–80)" in shown


def test_each_member_keeps_their_palette_colour_and_an_open_alert_is_ringed():
    svg = panel_chart(pcl5_panel(), 88, 50).svg.lower()
    for colour in (palette.person(0), palette.person(1), palette.CUTOFF):
        assert colour.lower() in svg
    assert f"stroke: {palette.ALERT['red'].lower()}" in svg


def test_small_multiples_draw_every_panel_with_its_title():
    panels = [pcl5_panel(f"Panel {n}") for n in range(3)]
    shown = texts(small_multiples(panels, 182, 40, columns=3).svg)
    assert [t for t in shown if t.startswith("Panel")] == [
        "Panel 0",
        "Panel 1",
        "Panel 2",
    ]


def test_a_long_title_is_wrapped_to_its_panel():
    long = "Therapist's rating of each member of a large family"
    shown = texts(small_multiples([pcl5_panel(long)] * 3, 120, 40, columns=3).svg)
    assert long not in shown
    assert any(t.startswith("Therapist's") for t in shown)


def test_the_cutoffs_words_go_where_no_line_passes():
    # the lines crowd the left half just above the cutoff at 0.5
    points = [(x / 20, 0.55) for x in range(10)]
    _covered, box, va = _place(points, (0.5, 0.5), (0.4, 0.08), True, [])
    x0, x1, y0, y1 = box
    assert va == "bottom"  # above the line
    assert x0 >= 0.45
    assert x1 <= 1.0
    assert not any(x0 <= x <= x1 and y0 <= y <= y1 for x, y in points)


def test_two_guides_do_not_share_a_place():
    first = _place([], (0.5, 0.5), (0.4, 0.08), True, [])[1]
    second = _place([], (0.52, 0.52), (0.4, 0.08), True, [first])[1]
    assert not (
        first[0] < second[1]
        and second[0] < first[1]
        and first[2] < second[3]
        and second[2] < first[3]
    )


def test_the_same_panel_draws_the_same_svg():
    assert (
        panel_chart(pcl5_panel(), 88, 50).svg == panel_chart(pcl5_panel(), 88, 50).svg
    )
    assert not re.search(r"<dc:date>", panel_chart(pcl5_panel(), 88, 50).svg)
