"""The layer-family palette: every two families can be told apart.

Colour differences are CIE ΔE76 (Euclidean distance in CIELAB, D65), from sRGB by
the standard formulas, here in plain Python. A ΔE of about 2.3 is a just noticeable
difference; 10 and more reads as a different colour at a glance.
"""

from __future__ import annotations

import itertools

import pytest

from kerasviz.style import KIND_STYLES, NODE_FILL_OPACITY, style_payload, stylesheet

WHITE = (255, 255, 255)
#: JupyterLab Dark's --jp-layout-color1 (the canvas background there).
DARK = (17, 17, 17)
#: Node label colours: the stylesheet's fallback (JupyterLab Light's
#: --jp-ui-font-color1, rgba(0,0,0,.87) on white), and JupyterLab Dark's
#: --jp-ui-font-color1, rgba(255,255,255,.87) on #111111.
TEXT_LIGHT = (33, 33, 33)
TEXT_DARK = (224, 224, 224)

#: Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
PROTANOPIA = (
    (0.152286, 1.052583, -0.204868),
    (0.114503, 0.786281, 0.099216),
    (-0.003882, -0.048116, 1.051998),
)
DEUTERANOPIA = (
    (0.367322, 0.860646, -0.227968),
    (0.280085, 0.672501, 0.047413),
    (-0.011820, 0.042940, 0.968881),
)


def rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    return tuple(float(int(h[i : i + 2], 16)) for i in (0, 2, 4))


def _linear(c: float) -> float:
    c /= 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    c = min(max(c, 0.0), 1.0)
    return 255 * (c * 12.92 if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055)


def lab(colour) -> tuple[float, float, float]:
    r, g, b = (_linear(c) for c in colour)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a, b) -> float:
    return sum((p - q) ** 2 for p, q in zip(lab(a), lab(b), strict=True)) ** 0.5


def simulate(colour, matrix):
    lin = [_linear(c) for c in colour]
    return tuple(
        _gamma(sum(m * c for m, c in zip(row, lin, strict=True))) for row in matrix
    )


def over(colour, background, alpha: float):
    return tuple(
        alpha * c + (1 - alpha) * b for c, b in zip(colour, background, strict=True)
    )


def contrast(a, b) -> float:
    def lum(c):
        r, g, bl = (_linear(v) for v in c)
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def closest_pair(colours: dict[str, tuple], transform=lambda c: c):
    return min(
        (delta_e(transform(colours[a]), transform(colours[b])), a, b)
        for a, b in itertools.combinations(colours, 2)
    )


def palette(styles=KIND_STYLES) -> dict[str, tuple]:
    return {kind: rgb(s["color"]) for kind, s in styles.items()}


#: The palette before issue 9, which these tests must refuse.
OLD_PALETTE = {
    "input": "#3a9e5b",
    "dense": "#4e79a7",
    "conv": "#f28e2b",
    "pooling": "#76b7b2",
    "normalization": "#b07aa1",
    "activation": "#d4a72c",
    "dropout": "#9d9d9d",
    "recurrent": "#e15759",
    "attention": "#ff7f9f",
    "embedding": "#9c755f",
    "merge": "#59a14f",
    "reshape": "#86bcb6",
    "model": "#5778a4",
    "op": "#8f8fd1",
    "other": "#bab0ac",
}


def test_conversion_matches_known_values():
    assert lab(WHITE) == pytest.approx((100, 0, 0), abs=0.01)
    assert lab((255, 0, 0)) == pytest.approx((53.24, 80.09, 67.20), abs=0.05)
    assert contrast(WHITE, (0, 0, 0)) == pytest.approx(21)


def test_every_two_families_differ_clearly():
    """ΔE76 ≥ 12 between the family colours (the borders), every pair; the old
    palette had Dense and Nested model at 2.7."""
    d, a, b = closest_pair(palette())
    assert d >= 12, (a, b, d)
    old, *_ = closest_pair({k: rgb(v) for k, v in OLD_PALETTE.items()})
    assert old < 3


@pytest.mark.parametrize(
    ("name", "matrix"), [("protanopia", PROTANOPIA), ("deuteranopia", DEUTERANOPIA)]
)
def test_families_differ_for_colour_blind_users(name, matrix):
    """Under a full protanopia or deuteranopia (Machado 2009, severity 1, the
    strongest form), every two family colours still differ by ΔE76 ≥ 10: a
    difference seen at a glance, well above the ~2.3 of a just noticeable one, so
    colour alone stays a cue. (15 colours cannot all be 12 apart on the two axes
    a dichromat has left and also be 12 apart for everyone else and be legible on
    light and dark pages; 10 is what this palette meets, with 11.0 and 11.4.) The
    old palette fell to 0.9 (Dense and Nested model) here."""
    d, a, b = closest_pair(palette(), lambda c: simulate(c, matrix))
    assert d >= 10, (name, a, b, d)
    old, *_ = closest_pair(
        {k: rgb(v) for k, v in OLD_PALETTE.items()}, lambda c: simulate(c, matrix)
    )
    assert old < 10


def _fill_opacity() -> float:
    node = next(r for r in stylesheet() if r["selector"] == "node")
    return float(node["style"]["background-opacity"])


@pytest.mark.parametrize(("theme", "background"), [("light", WHITE), ("dark", DARK)])
def test_node_fills_differ_on_light_and_dark_pages(theme, background):
    """Nodes are filled with their family colour at the stylesheet's
    background-opacity over the page: the blended fills of every two families
    differ by ΔE76 ≥ 6 (a light tint compresses all differences; 6 is still
    plain side by side, and the border keeps the full colour). The old palette's
    fills fell under 1."""
    alpha = _fill_opacity()
    assert alpha == NODE_FILL_OPACITY
    d, a, b = closest_pair(palette(), lambda c: over(c, background, alpha))
    assert d >= 6, (theme, a, b, d)
    old, *_ = closest_pair(
        {k: rgb(v) for k, v in OLD_PALETTE.items()},
        lambda c: over(c, background, alpha),
    )
    assert old < 6


@pytest.mark.parametrize(
    ("theme", "background", "text"),
    [("light", WHITE, TEXT_LIGHT), ("dark", DARK, TEXT_DARK)],
)
def test_labels_and_borders_are_legible_on_light_and_dark_pages(
    theme, background, text
):
    """Node labels on every blended fill reach WCAG AA for text (4.5:1), and each
    family colour (the node border, the legend swatch) stands 2:1 off the page."""
    alpha = _fill_opacity()
    for kind, colour in palette().items():
        fill = over(colour, background, alpha)
        assert contrast(text, fill) >= 4.5, (theme, kind)
        assert contrast(colour, background) >= 2, (theme, kind)


def test_legend_and_stylesheet_use_the_palette():
    payload = style_payload()
    assert {k: v["color"] for k, v in payload["kinds"].items()} == {
        k: v["color"] for k, v in KIND_STYLES.items()
    }
    by_selector = {r["selector"]: r["style"] for r in payload["stylesheet"]}
    for kind, s in KIND_STYLES.items():
        rule = by_selector[f'node[kind = "{kind}"]']
        assert rule["background-color"] == rule["border-color"] == s["color"]
