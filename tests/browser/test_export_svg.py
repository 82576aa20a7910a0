"""Exported SVGs are whole in a browser: every node's label inside the visible picture.

No Jupyter: the SVG that ``kerasviz.save`` wrote is put, as it is, in an HTML page
opened in headless chromium (``file://``); the ``<svg>`` element clips what lies
outside its ``viewBox`` as a browser showing the file on its own does. Graphviz 2.43
(Debian 12) writes an SVG whose ``viewBox`` disagrees with its size when a dpi is
set; a browser then cuts off the right and bottom of the drawing. These tests catch
that.
"""

from __future__ import annotations

import shutil

import pytest

from kerasviz.export import save
from tests.browser._jupyter import screenshot
from tests.conftest import IN_CI

#: For each ``<g class="node">``: its label and the box of its text and its shape,
#: and the box the picture is shown in (the ``<svg>``, which clips the rest).
MEASURE = """() => {
  const root = document.querySelector("svg");
  const box = (r) => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
  const nodes = [...root.querySelectorAll("g.node")].map((g) => {
    const texts = [...g.querySelectorAll("text")];
    return {
      id: g.id,
      label: texts.map((t) => t.textContent).join(" / "),
      text: texts.map((t) => box(t.getBoundingClientRect())),
      shape: box(g.getBoundingClientRect()),
    };
  });
  const page = root.querySelector("g.graph > polygon");
  return {
    picture: box(root.getBoundingClientRect()),
    background: box(page.getBoundingClientRect()),
    nodes,
  };
}"""

#: A rounding pixel either way is not a crop.
SLACK = 1.0


@pytest.fixture(scope="module")
def needs_dot():
    if shutil.which("dot") is None:
        message = "Graphviz `dot` is not installed: apt-get install -y graphviz"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def outside(inner: dict, outer: dict) -> list[str]:
    """The sides of ``inner`` that stick out of ``outer``, by how many pixels."""
    return [
        f"{side} by {abs(inner[side] - outer[side]):.1f}px"
        for side, beyond in (
            ("left", outer["left"] - inner["left"]),
            ("top", outer["top"] - inner["top"]),
            ("right", inner["right"] - outer["right"]),
            ("bottom", inner["bottom"] - outer["bottom"]),
        )
        if beyond > SLACK
    ]


def assert_whole(page, path, *, min_nodes: int) -> dict:
    svg = path.read_text()
    svg = svg[svg.index("<svg") :]  # no XML prolog or DOCTYPE inside HTML
    html = path.with_suffix(".html")
    html.write_text(
        "<!DOCTYPE html><html><body style='margin:0;background:#fff'>"
        f"{svg}</body></html>"
    )
    page.goto(html.resolve().as_uri())
    seen = page.evaluate(MEASURE)
    picture = seen["picture"]
    assert len(seen["nodes"]) >= min_nodes
    cropped = []
    for node in seen["nodes"]:
        assert node["label"].strip(), f"{node['id']} has no label"
        for part in [node["shape"], *node["text"]]:
            sides = outside(part, picture)
            if sides:
                cropped.append(f"{node['label']!r} sticks out: {', '.join(sides)}")
                break
    assert cropped == [], (
        f"{path.name}: {len(cropped)} of {len(seen['nodes'])} nodes are cut off "
        f"(picture {picture}):\n" + "\n".join(cropped)
    )
    # The drawing fills the picture: neither cut off nor shrunk into a corner.
    width = picture["right"] - picture["left"]
    drawn = seen["background"]["right"] - seen["background"]["left"]
    assert abs(drawn - width) <= 2 * SLACK, (drawn, width)
    return seen


SEED_CASES = [
    pytest.param({"rankdir": "TB", "show_shapes": True}, id="TB-shapes"),
    pytest.param({"rankdir": "LR", "show_shapes": True}, id="LR-shapes"),
    pytest.param({"rankdir": "TB", "show_shapes": False}, id="TB-no-shapes"),
    pytest.param({"rankdir": "LR", "show_shapes": False}, id="LR-no-shapes"),
    pytest.param({"rankdir": "TB", "dpi": 72}, id="TB-dpi72"),
    pytest.param({"rankdir": "LR", "dpi": 200}, id="LR-dpi200"),
]


@pytest.mark.parametrize("options", SEED_CASES)
def test_seed_model_svg_is_whole(page, seed_functional, tmp_path, needs_dot, options):
    path = save(seed_functional, tmp_path / "seed.svg", **options)
    seen = assert_whole(page, path, min_nodes=10)
    labels = " ".join(n["label"] for n in seen["nodes"])
    assert "main_output (Dense)" in labels
    assert "aux_output (Dense)" in labels
    name = "-".join(f"{k}{v}" for k, v in options.items())
    screenshot(page, f"export-svg/seed-{name}", full_page=True)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("MobileNetV2", {}),  # blocks collapsed (over 150 layers)
        ("ResNet50", {"collapse_blocks": False, "rankdir": "LR", "dpi": 120}),
    ],
)
def test_big_model_svg_is_whole(page, keras, tmp_path, needs_dot, name, options):
    model = getattr(keras.applications, name)(weights=None)
    path = save(model, tmp_path / f"{name}.svg", **options)
    min_nodes = len(model.operations) if options.get("collapse_blocks") is False else 20
    seen = assert_whole(page, path, min_nodes=min_nodes)
    width = seen["picture"]["right"] - seen["picture"]["left"]
    # ResNet50 in full, left to right, is some 110,000 pixels wide: its start will do.
    screenshot(page, f"export-svg/{name}", full_page=width < 4000)
