"""The SVG charts: well-formed, accessible (role, title, description with every figure), bars in proportion
to the figures, mirrored right to left, user text escaped, values outside the scale kept in the picture."""
from __future__ import annotations

from decimal import Decimal

from lxml import etree

from app.grants.charts import LABEL_WIDTH, WIDTH, Bar, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart) -> etree._Element:  # noqa: ANN001
    return etree.fromstring(str(chart.svg).encode())


def value_rects(root: etree._Element) -> list[etree._Element]:
    return [r for r in root.iter(f"{SVG}rect") if "chart-value" in r.get("class", "") and r.get("height") != "12"]


def reference_rects(root: etree._Element) -> list[etree._Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-reference" and r.get("height") != "12"]


def test_accessible_and_complete() -> None:
    chart = bar_chart("Paid vs committed", [Bar("Call A", Decimal(30), Decimal(100), "30 € / 100 €"),
                                            Bar("Call B", Decimal(50), Decimal(50), "50 € / 50 €")],
                      value_label="Paid", reference_label="Committed")
    root = parse(chart)
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Paid vs committed"
    assert desc.text == "Call A: 30 € / 100 €; Call B: 50 € / 50 €"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert [b.label for b in chart.bars] == ["Call A", "Call B"]  # the table beside is drawn from the same rows
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Call A" in texts and "50 € / 50 €" in texts and "Paid" in texts


def test_bars_in_proportion() -> None:
    root = parse(bar_chart("t", [Bar("a", Decimal(25), Decimal(100)), Bar("b", Decimal(100), Decimal(100))]))
    a, b = (Decimal(r.get("width")) for r in value_rects(root))
    assert b == 4 * a
    full = [Decimal(r.get("width")) for r in reference_rects(root)]
    assert full == [b, b]


def test_shares_on_a_fixed_scale_and_out_of_range() -> None:
    root = parse(bar_chart("t", [Bar("over", Decimal("1.5")), Bar("half", Decimal("0.5")),
                                 Bar("negative", Decimal("-0.2"), flagged=True)], scale_max=Decimal(1)))
    over, half, negative = (Decimal(r.get("width")) for r in value_rects(root))
    assert over == 2 * half  # beyond the target: drawn to the end, never outside
    assert negative == 0
    for rect in root.iter(f"{SVG}rect"):
        assert Decimal(rect.get("x")) + Decimal(rect.get("width")) <= WIDTH
    assert any("chart-flagged" in r.get("class") for r in value_rects(root))


def test_right_to_left_is_mirrored() -> None:
    bars = [Bar("مشروع", Decimal(40), Decimal(100), "40 %")]
    ltr, rtl = parse(bar_chart("t", bars)), parse(bar_chart("t", bars, rtl=True))
    (l_bar,), (r_bar,) = value_rects(ltr), value_rects(rtl)
    assert Decimal(l_bar.get("x")) == LABEL_WIDTH + 8
    assert Decimal(r_bar.get("x")) + Decimal(r_bar.get("width")) == WIDTH - LABEL_WIDTH - 8  # grows leftwards
    label = next(t for t in rtl.iter(f"{SVG}text") if t.text == "مشروع")
    assert label.get("direction") == "rtl" and Decimal(label.get("x")) == WIDTH - LABEL_WIDTH
    assert all(t.get("direction") is None for t in ltr.iter(f"{SVG}text"))


def test_user_text_is_escaped() -> None:
    chart = bar_chart("<script>", [Bar('<img src=x onerror="1">', Decimal(1), figure="&")])
    root = parse(chart)  # still well-formed XML
    assert "<script>" not in str(chart.svg) and "<img" not in str(chart.svg)
    assert root.find(f"{SVG}title").text == "<script>"


def test_empty_chart_is_still_an_image() -> None:
    root = parse(bar_chart("Nothing", []))
    assert root.get("role") == "img" and root.find(f"{SVG}desc").text is None
