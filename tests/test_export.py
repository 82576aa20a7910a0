"""Static export through pydot/Graphviz."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

import kerasviz
from kerasviz.export import save, to_dot
from kerasviz.view import view_payload
from kerasviz.view.elements import elements

from .conftest import IN_CI

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
        "DenseNet121",
        "EfficientNetB0",
        "NASNetMobile",
        "EfficientNetB7",
    ],
)
def test_applications_export_to_svg(keras, name, tmp_path, needs_dot):
    model = getattr(keras.applications, name)(weights=None)
    path = save(model, tmp_path / f"{name}.svg", show_shapes=True)
    ids = svg_node_ids(path)
    payload = view_payload(model)
    visible = elements(payload, collapsed=set(payload["collapsed"]))["nodes"]
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


def test_full_export_of_a_big_model_is_not_shrunk(keras, tmp_path, needs_dot):
    model = keras.applications.ResNet50(weights=None)
    path = save(model, tmp_path / "r50.svg", collapse_blocks=False)
    ids = svg_node_ids(path)
    assert len(ids) == len(model.operations)
    root = ET.parse(path).getroot()
    width_pt = float(root.get("width").removesuffix("pt"))
    view_width = float(root.get("viewBox").split()[2])
    assert width_pt / view_width >= 1.0  # drawn at full size, never scaled down
    text = ET.tostring(root, encoding="unicode")
    assert 'font-size="14.00"' in text or 'font-size="11.00"' in text


def test_png_pdf_dot(seed_functional, tmp_path, needs_dot):
    assert save(seed_functional, tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"
    assert save(seed_functional, tmp_path / "m.pdf").read_bytes()[:4] == b"%PDF"
    assert save(seed_functional, tmp_path / "m.dot").read_text().startswith("digraph")


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
