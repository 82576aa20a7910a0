"""Static export through pydot/Graphviz."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import pytest

import kerasviz
from kerasviz.export import save, to_dot
from kerasviz.export.cytoscape import cytoscape_elements
from kerasviz.view import view_payload

from .conftest import IN_CI, application

SVG = "{http://www.w3.org/2000/svg}"


def svg_node_ids(path):
    root = ET.parse(path).getroot()
    return [g.get("id") for g in root.iter(f"{SVG}g") if g.get("class") == "node"]


@pytest.fixture(scope="module")
def needs_dot():
    if shutil.which("dot") is None:
        if IN_CI:
            pytest.fail("Graphviz `dot` is missing: apt-get install -y graphviz")
        pytest.skip("Graphviz `dot` is not installed (apt-get install graphviz)")


def test_dot_uses_plot_model_option_names(seed_functional):
    dot = to_dot(
        seed_functional,
        show_shapes=True,
        show_dtype=True,
        show_layer_activations=True,
        show_trainable=True,
        rankdir="LR",
        dpi=72,
    )
    text = dot.to_string()
    assert dot.get_rankdir() == "LR"
    assert "splines=spline" in text
    assert "ortho" not in text
    assert "lstm (LSTM)" in text
    assert "activation: relu" in text
    assert "dtype: int32" in text
    assert "params: 69,760" in text
    assert "in: (None, 100)  out: (None, 100, 512)" in text
    assert '"(None, 37)"' in text  # shapes on edges


def test_quotes_in_names_stay_text(keras):
    inp = keras.Input((2,), name="in")
    out = keras.layers.Dense(1, name='evil"name\\x')(inp)
    text = to_dot(keras.Model(inp, out)).to_string()
    assert 'evil\\"name\\\\x' in text


@pytest.mark.parametrize(
    "name",
    [
        "MobileNetV2",
        "ResNet50",
        pytest.param("DenseNet121", marks=pytest.mark.slow),
        "EfficientNetB0",
        pytest.param("NASNetMobile", marks=pytest.mark.slow),
        pytest.param("EfficientNetB7", marks=pytest.mark.slow),
    ],
)
def test_applications_export_to_svg(keras, name, tmp_path, needs_dot, request):
    if name == "ResNet50":  # built once per session (conftest)
        model = request.getfixturevalue("resnet50")
    else:
        model = application(keras, name)
    path = save(model, tmp_path / f"{name}.svg", show_shapes=True)
    ids = svg_node_ids(path)
    payload = view_payload(model)
    visible = cytoscape_elements(payload)["nodes"]
    open_containers = {
        n["data"]["id"] for n in visible if "kv-container" in n["classes"]
    }
    expected = {f"kv-{n['data']['id']}" for n in visible} - {
        f"kv-{c}" for c in open_containers
    }
    assert set(ids) == expected
    assert len(ids) == len(expected)
    root = ET.parse(path).getroot()
    assert root.get("width").endswith("pt")  # natural size: readable at 100 %


def test_full_export_of_a_big_model_has_every_layer(resnet50, tmp_path, needs_dot):
    model = resnet50
    path = save(model, tmp_path / "r50.svg", collapse_blocks=False)
    assert len(svg_node_ids(path)) == len(model.operations)
    text = path.read_text()
    assert 'font-size="11.00"' in text  # drawn at full size, never scaled down
    # that it is whole in a browser: tests/browser/test_export_svg.py


def svg_size(path):
    root = ET.parse(path).getroot()
    graph = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "graph")
    width, height = (float(root.get(k).removesuffix("pt")) for k in ("width", "height"))
    return width, height, [float(v) for v in root.get("viewBox").split()], graph


@pytest.mark.parametrize("dpi", [72, 96, 200])
def test_svg_size_and_view_box_agree_at_any_dpi(
    seed_functional, tmp_path, needs_dot, dpi
):
    """Graphviz 2.43 scales the drawing by dpi/72 and not the viewBox (it then gets
    cropped): save() lays SVG out at 72 dpi and sizes it as the PNG of that dpi."""
    natural = save(seed_functional, tmp_path / "natural.svg")  # dpi=96
    width, height, box, graph = svg_size(natural)
    assert (width, height) == (box[2], box[3])  # 1 pt per unit
    assert "scale(1 1)" in graph.get("transform")  # the drawing is not scaled
    at_dpi = save(seed_functional, tmp_path / f"m{dpi}.svg", dpi=dpi)
    w, h, view_box, graph = svg_size(at_dpi)
    assert view_box == box
    assert "scale(1 1)" in graph.get("transform")
    assert w == pytest.approx(width * dpi / 96, abs=0.01)
    assert h == pytest.approx(height * dpi / 96, abs=0.01)
    png = save(seed_functional, tmp_path / f"m{dpi}.png", dpi=dpi).read_bytes()
    png_width = int.from_bytes(png[16:20], "big")
    assert w * 96 / 72 == pytest.approx(png_width, abs=2)  # CSS px, as the PNG


def pdf_page_size(data):
    box = re.search(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", data).group(1).split()
    return float(box[2]), float(box[3])


def test_png_pdf_dot(seed_functional, tmp_path, needs_dot):
    assert save(seed_functional, tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"
    pdf = save(seed_functional, tmp_path / "m.pdf").read_bytes()
    assert pdf[:4] == b"%PDF"
    pdf72 = save(seed_functional, tmp_path / "m72.pdf", dpi=72).read_bytes()
    size, size72 = (pdf_page_size(p) for p in (pdf, pdf72))
    assert size[0] / size72[0] == pytest.approx(96 / 72, rel=0.01)  # dpi sizes a PDF
    assert save(seed_functional, tmp_path / "m.dot").read_text().startswith("digraph")


@pytest.fixture
def shell(keras):
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "kerasviz")
    saved = dict(ip.user_ns)
    yield ip
    ip.user_ns.clear()
    ip.user_ns.update(saved)


def test_magic_export_and_save_draw_the_same_by_default(
    shell, seed_functional, tmp_path
):
    shell.user_ns["model"] = seed_functional
    shell.run_line_magic("kerasviz", f"model --export {tmp_path / 'magic.dot'}")
    by_magic = (tmp_path / "magic.dot").read_text()
    by_save = save(seed_functional, tmp_path / "save.dot").read_text()
    assert by_magic == by_save
    assert '"(None, 37)"' in by_save  # the one default: shapes on
    assert "in: (None, 100)  out: (None, 100, 512)" in by_save
    shell.run_line_magic(
        "kerasviz", f"model --export {tmp_path / 'bare.dot'} --no-shapes"
    )
    bare = (tmp_path / "bare.dot").read_text()
    assert (
        bare == save(seed_functional, tmp_path / "s.dot", show_shapes=False).read_text()
    )
    assert "(None, 37)" not in bare


def test_missing_dot_names_the_install_command(seed_functional, tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(RuntimeError, match="apt-get install graphviz") as info:
        save(seed_functional, tmp_path / "m.svg")
    assert "conda install graphviz" in str(info.value)
    # .dot needs no Graphviz
    assert save(seed_functional, tmp_path / "m.dot").exists()


def test_missing_pydot_names_pip(monkeypatch, seed_functional):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "pydot":
            raise ImportError("No module named 'pydot'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match="pip install pydot"):
        to_dot(seed_functional)


def test_bad_path_and_options(seed_functional, tmp_path):
    with pytest.raises(ValueError, match=r"Received: path=.*m\.jpg"):
        save(seed_functional, tmp_path / "m.jpg")
    with pytest.raises(
        TypeError, match="Unrecognized keyword arguments: \\['show_colour'\\]"
    ):
        save(seed_functional, tmp_path / "m.dot", show_colour=True)
    assert kerasviz.save is save
