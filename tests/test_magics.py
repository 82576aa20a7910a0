"""%kerasviz and %%kerasviz through IPython's InteractiveShell."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import kerasviz.magics
from kerasviz.widgets import Explorer


@pytest.fixture
def ip(monkeypatch, keras):
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "kerasviz")
    shown = []
    monkeypatch.setattr(kerasviz.magics, "display", shown.append)
    shell.shown = shown
    saved = dict(shell.user_ns)
    shell.user_ns["keras"] = keras
    yield shell
    shell.user_ns.clear()
    shell.user_ns.update(saved)


def test_line_magic_shows_an_explorer(ip, seed_functional):
    ip.user_ns["model"] = seed_functional
    ex = ip.run_line_magic("kerasviz", "model --rankdir LR --no-shapes --select lstm")
    assert isinstance(ex, Explorer)
    assert ex.selected == "lstm"
    assert ex.data["options"]["rankdir"] == "LR"
    assert ex.data["options"]["show_shapes"] is False


def test_summary_and_overlay_flags(ip, seed_functional, tmp_path):
    from kerasviz.summary import Summary

    ip.user_ns["model"] = seed_functional
    table = ip.run_line_magic("kerasviz", "model --summary")
    assert isinstance(table, Summary)
    assert "main_output (Dense)" in str(table)
    ex = ip.run_line_magic("kerasviz", "model --overlay flops")
    assert ex.overlay_metric == "flops"
    with pytest.raises(UsageError, match="no overlay 'flop'"):
        ip.run_line_magic("kerasviz", "model --overlay flop")
    pytest.importorskip("pydot")
    out = tmp_path / "m.svg"
    ip.run_line_magic("kerasviz", f"model --overlay macs --export {out}")
    assert "MACs: pale" in out.read_text()


def test_expand_nested_flag(ip, nested):
    ip.user_ns["outer"] = nested
    ex = ip.run_line_magic("kerasviz", "outer --expand-nested")
    assert ex.data["collapsed"] == []


def test_usage_is_real(ip):
    doc = kerasviz.magics.KerasvizMagics.kerasviz.__doc__
    assert "--rankdir {TB,LR}" in doc
    assert "--expand-nested" in doc
    assert "--select LAYER" in doc


def test_help_has_no_rest_markup(ip):
    """`%kerasviz?` starts with the usage line, not magic_arguments' reST `::`."""
    for name in ("kerasviz",):
        text = ip.object_inspect_text(f"%{name}")
        assert "Docstring:\n::" not in text
        assert "Usage:\n  %kerasviz [--rankdir {TB,LR}]" in text
    assert kerasviz.magics.KerasvizMagics.kerasviz_cell.__doc__.startswith("Usage:")


def test_no_argument_lists_models(ip, seed_functional, seed_sequential, capsys):
    ip.user_ns["model"] = seed_functional
    ip.user_ns["seq"] = seed_sequential
    ip.user_ns["x"] = 3
    ip.run_line_magic("kerasviz", "")
    out = capsys.readouterr().out
    assert "model" in out
    assert "seq" in out
    assert "Functional" in out
    assert "5,200,610 params" in out
    assert " x " not in out


def test_unknown_name_names_close_matches(ip, seed_functional):
    ip.user_ns["my_model"] = seed_functional
    with pytest.raises(UsageError, match="no variable named 'my_modle'") as info:
        ip.run_line_magic("kerasviz", "my_modle")
    assert "Did you mean my_model?" in str(info.value)
    assert "Keras models here: my_model." in str(info.value)


def test_non_model_says_what_it_is(ip, keras):
    ip.user_ns["n"] = 42
    with pytest.raises(UsageError, match=r"'n' is a builtins\.int") as info:
        ip.run_line_magic("kerasviz", "n")
    assert "Received: n=42" in str(info.value)
    with pytest.raises(UsageError, match=r"'42' is a builtins\.int") as info:
        ip.run_line_magic("kerasviz", "42")
    assert str(info.value).endswith("Received: 42")  # not "42=42"
    ip.user_ns["layer"] = keras.layers.Dense(3)
    with pytest.raises(UsageError, match="a Keras layer, not a model"):
        ip.run_line_magic("kerasviz", "layer")


def test_unknown_select_is_a_usage_error(ip, seed_functional):
    ip.user_ns["model"] = seed_functional
    with pytest.raises(UsageError, match="Did you mean 'lstm'"):
        ip.run_line_magic("kerasviz", "model --select lstn")


def test_unbuilt_sequential_shows_planned_layers(ip):
    ip.run_cell(
        "m = keras.Sequential([keras.layers.Dense(4, name='a'), keras.layers.Dense(1, name='b')])"
    )
    ex = ip.run_line_magic("kerasviz", "m")
    assert [n["id"] for n in ex.data["graph"]["nodes"]] == ["a", "b"]
    assert ex.data["graph"]["model"]["built"] is False
    assert "model.build((None, ...))" in ex.data["notes"][0]


def test_subclassed_model_is_one_node_with_a_note(ip):
    ip.run_cell(
        "class Net(keras.Model):\n"
        "    def __init__(self):\n"
        "        super().__init__(name='net')\n"
        "        self.a = keras.layers.Dense(3, name='a')\n"
        "    def call(self, x):\n"
        "        return self.a(x)\n"
        "net = Net()\n"
    )
    ex = ip.run_line_magic("kerasviz", "net")
    nodes = ex.data["graph"]["nodes"]
    assert [(n["id"], n["parent"]) for n in nodes] == [("net", None), ("net/a", "net")]
    assert ex.data["graph"]["edges"] == []
    # never called: no shapes to trace its call() with
    assert "not built yet" in ex.data["notes"][0]
    assert "listed inside it, unconnected" in ex.data["notes"][0]


def test_cell_magic_shows_new_and_rebound_models_in_order(ip):
    ip.run_cell(
        "old = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)], name='old')"
    )
    ip.run_cell(
        "keep = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)], name='keep')"
    )
    ip.run_cell_magic(
        "kerasviz",
        "--rankdir LR",
        "b = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)], name='b')\n"
        "old = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)], name='old2')\n"
        "n = 5\n",
    )
    names = [ex.data["graph"]["model"]["name"] for ex in ip.shown]
    assert names == ["b", "old2"]
    assert all(ex.data["options"]["rankdir"] == "LR" for ex in ip.shown)


def test_cell_magic_error_still_shows_earlier_models(ip, capsys):
    with pytest.raises(UsageError, match="The cell raised ZeroDivisionError") as info:
        ip.run_cell_magic(
            "kerasviz",
            "",
            "first = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)], name='first')\n"
            "1 / 0\n"
            "second = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)], name='second')\n",
        )
    assert "showed the 1 model(s) made before it" in str(info.value)
    failure, *explorers = ip.shown
    # first the failure, on the graph built up to it, then the models made before it
    assert failure.steps[-1].kind == "error"
    assert failure.steps[-1].line == 3
    assert failure.error.message
    assert [ex.data["graph"]["model"]["name"] for ex in explorers] == ["first"]
    captured = capsys.readouterr()
    assert "ZeroDivisionError" in captured.out + captured.err  # shown as usual
    assert "second" not in ip.user_ns


def test_export_flag_writes_a_file(ip, seed_functional, tmp_path, capsys):
    ip.user_ns["model"] = seed_functional
    target = tmp_path / "m.dot"
    assert ip.run_line_magic("kerasviz", f"model --export {target}") is None
    assert target.read_text().startswith("digraph")
    assert f"kerasviz: wrote {target}" in capsys.readouterr().out
    with pytest.raises(UsageError, match="Received: path="):
        ip.run_line_magic("kerasviz", f"model --export {tmp_path / 'm.gif'}")


def test_compare_flag(ip, keras):
    from .test_codegen import mlp

    ip.user_ns["m"] = mlp(keras)
    view = ip.run_line_magic("kerasviz", "m --compare --rankdir LR")
    assert view.verdict.equivalent
    for column in view.data["columns"]:
        assert column["view"]["options"]["rankdir"] == "LR"
    ip.user_ns["u"] = keras.Sequential([keras.layers.Dense(1)])
    with pytest.raises(UsageError, match="not built yet"):
        ip.run_line_magic("kerasviz", "u --compare")


@pytest.mark.slow
def test_failing_cell_traceback_names_its_cell_and_line(tmp_path):
    """In a real kernel, the traceback of a failing %%kerasviz cell points at the
    cell's own number and line (the magic's line is line 1)."""
    import re

    import nbformat
    from nbclient import NotebookClient

    cells = [
        "import keras\n%load_ext kerasviz",
        "x = 1",
        "%%kerasviz\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])"
        "\ny = 1\n1 / 0",
        "%%kerasviz --rankdir LR\nz = (",
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()

    def where(cell):
        text = "\n".join(
            line for out in cell.outputs for line in out.get("traceback", [])
        )
        return re.findall(
            r"Cell In\[(\d+)\], line (\d+)", re.sub(r"\x1b\[[\d;]*m", "", text)
        )

    failing, syntax = nb.cells[2], nb.cells[3]
    assert where(failing) == [(str(failing.execution_count), "4")]
    assert where(syntax) == [(str(syntax.execution_count), "2")]


# ---- watching a cell: source lines, the failure explained, --replay -------------------
def test_cell_magic_records_the_line_of_every_layer(ip):
    result = ip.run_cell(
        "%%kerasviz\n"
        'x = keras.Input((4,), name="src_x")\n'
        'model = keras.Model(x, keras.layers.Dense(2, name="src_d")(x))\n',
        store_history=True,
    )
    assert result.error_in_exec is None
    from kerasviz import graph_of

    node = graph_of(ip.user_ns["model"]).node("src_d")
    (source,) = node.sources
    assert source.line == 3  # the cell's own line: line 1 holds %%kerasviz
    assert source.code.startswith("model = keras.Model(x, keras.layers.Dense(2")
    assert source.cell == result.execution_count
    explorer = ip.shown[0]
    shown = explorer.data["graph"]["nodes"][1]["sources"][0]
    assert shown == {"cell": result.execution_count, "line": 3, "code": source.code}


def test_a_failed_cell_shows_its_partial_graph_explained(ip):
    from kerasviz.widgets.replay import Replay

    with pytest.raises(UsageError, match="raised ValueError"):
        ip.run_cell_magic(
            "kerasviz",
            "",
            'x = keras.Input((784,), name="pixels")\n'
            'h = keras.layers.Dense(10, name="hidden")(x)\n'
            'y = keras.layers.Conv2D(3, 3, name="conv")(h)\n',
        )
    (widget,) = ip.shown
    assert isinstance(widget, Replay)
    last = widget.steps[-1]
    assert last.kind == "error"
    assert last.line == 4
    assert last.marks == {"conv": "failed"}
    assert last.nodes == ["pixels", "hidden", "conv"]
    assert widget.error.layer == "conv"
    assert widget.data["error"]["line"] == 4


def test_replay_flag_replays_and_a_failure_does_not_fail_the_cell(ip):
    from kerasviz.widgets.replay import Replay

    r = ip.run_cell_magic(
        "kerasviz",
        "--replay",
        'm = keras.Sequential([keras.Input((8,), name="rx"), '
        'keras.layers.Dense(4, name="ra")])\n'
        'm.add(keras.layers.Dense(2, name="rb"))\n',
    )
    assert isinstance(r, Replay)
    assert [s.nodes for s in r.steps] == [[], ["rx"], ["rx", "ra"], ["rx", "ra", "rb"]]
    assert [s.line for s in r.steps] == [2, 2, 2, 3]
    assert ip.user_ns["m"] is r.models[0]
    failed = ip.run_cell_magic(
        "kerasviz", "--replay", "y = keras.layers.Dense(2)(nope)\n"
    )
    assert failed.error is not None
    assert failed.steps[-1].line == 2
