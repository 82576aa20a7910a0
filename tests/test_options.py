"""One set of display options (kerasviz.ViewOptions) for every entry point."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import kerasviz
from kerasviz.mimebundle import mime_bundle, unpack
from kerasviz.view import view_payload
from kerasviz.view.options import ViewOptions, options_from

NAMES = [f.name for f in dataclasses.fields(ViewOptions)]


def test_defaults_and_checks():
    o = ViewOptions()
    assert o.as_dict() == {
        "rankdir": "TB",
        "show_shapes": True,
        "expand_nested": False,
        "select": None,
        "lint": False,
        "overlay": None,
        "dims": None,
    }
    assert ViewOptions(rankdir="lr").rankdir == "LR"
    with pytest.raises(ValueError, match="Received: rankdir='BT'"):
        ViewOptions(rankdir="BT")
    with pytest.raises(TypeError, match="Received: show_shapes='no'"):
        ViewOptions(show_shapes="no")
    with pytest.raises(TypeError, match="Received: select=3"):
        ViewOptions(select=3)


def test_an_unknown_option_names_the_entry_point_and_the_closest_option():
    with pytest.raises(TypeError) as info:
        ViewOptions.from_kwargs("show()", rank_dir="LR")
    message = str(info.value)
    assert message.startswith("show() got an unknown option 'rank_dir'.")
    assert "Did you mean 'rankdir'?" in message
    assert "rankdir, show_shapes, expand_nested, select" in message
    assert message.endswith("Received: rank_dir='LR'")


def test_options_object_and_keywords_combine_keywords_winning():
    base = ViewOptions(rankdir="LR", show_shapes=False)
    assert options_from("x()", base, {"show_shapes": True}) == ViewOptions(
        rankdir="LR", show_shapes=True
    )
    assert options_from("x()", {"rankdir": "LR"}, {}) == ViewOptions(rankdir="LR")
    with pytest.raises(TypeError, match="Received: options=42"):
        options_from("x()", 42, {})


@pytest.fixture
def calls(seed_functional):
    """Each entry point that takes display options, as (name, call(**options) ->
    the view payload it draws)."""
    return {
        "view_payload": lambda **o: view_payload(seed_functional, **o),
        "show": lambda **o: kerasviz.show(seed_functional, **o).saved_payload(),
        "Explorer": lambda **o: kerasviz.Explorer(seed_functional, **o).saved_payload(),
        "mime_bundle": lambda **o: unpack(
            mime_bundle(seed_functional, **o)[kerasviz.MIME_TYPE]
        ),
    }


def test_every_entry_point_takes_every_option_the_same_way(calls):
    chosen = {"rankdir": "LR", "show_shapes": False, "select": "lstm"}
    for name, call in calls.items():
        options = call(**chosen)["options"]
        assert options["rankdir"] == "LR", name
        assert options["show_shapes"] is False, name
        assert options["selected"] == "lstm", name
        with pytest.raises(TypeError, match="unknown option 'colour'"):
            call(colour="red")
        with pytest.raises(ValueError, match="no layer named 'nope'"):
            call(select="nope")


def test_an_options_object_works_everywhere(seed_functional):
    o = ViewOptions(rankdir="LR", expand_nested=True)
    for payload in (
        view_payload(seed_functional, o),
        kerasviz.show(seed_functional, o).data,
        kerasviz.Explorer(seed_functional, o).data,
    ):
        assert payload["options"]["rankdir"] == "LR"


def test_the_explorer_has_a_trait_for_every_option_but_the_selection(seed_functional):
    """A new option must be live-changeable too: this fails until it is a trait."""
    ex = kerasviz.show(seed_functional)
    for name in NAMES:
        if name == "select":
            continue
        # overlay() is the method that adds an overlay: the option's trait is
        # overlay_metric
        trait = "overlay_metric" if name == "overlay" else name
        assert ex.has_trait(trait), name
    ex.rankdir = "LR"
    assert ex.data["options"]["rankdir"] == "LR"
    assert ex.options == ViewOptions(rankdir="LR")


def test_docstrings_list_every_option():
    for obj in (kerasviz.show, kerasviz.Explorer, view_payload):
        doc = inspect.getdoc(obj)
        assert "{view_options}" not in doc
        for name in NAMES:
            assert f"{name} : " in doc, (obj, name)


def test_magic_flags_come_from_the_options(request):
    from IPython.core.magic_arguments import construct_parser

    from kerasviz.magics import KerasvizMagics

    # construct_parser rewrites the magics' docstrings: put them back after
    docs = {
        f: f.__doc__ for f in (KerasvizMagics.kerasviz, KerasvizMagics.kerasviz_cell)
    }
    request.addfinalizer(lambda: [setattr(f, "__doc__", d) for f, d in docs.items()])
    line = construct_parser(KerasvizMagics.kerasviz)
    args = line.parse_args(["m", "--rankdir", "lr", "--no-shapes", "--select", "x"])
    assert ViewOptions.from_args(args) == ViewOptions(
        rankdir="LR", show_shapes=False, select="x"
    )
    assert ViewOptions.from_args(line.parse_args(["m"])) == ViewOptions()
    cell = construct_parser(KerasvizMagics.kerasviz_cell)
    flags = {a.option_strings[0] for a in cell._actions if a.option_strings}
    assert {"--rankdir", "--no-shapes", "--expand-nested"} <= flags
    assert "--select" not in flags  # a cell shows every model it makes


def test_compare_takes_the_same_options(keras):
    m = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, name="d"), keras.layers.Dense(1)],
        name="small",
    )
    view = kerasviz.compare(m, ViewOptions(rankdir="LR"), show_shapes=False, select="d")
    for column in view.data["columns"]:
        assert column["view"]["options"]["rankdir"] == "LR"
        assert column["view"]["options"]["show_shapes"] is False
    assert view.selected == ["d", "d"]
    with pytest.raises(TypeError, match="compare\\(\\) got an unknown option 'colour'"):
        kerasviz.compare(m, colour="red")
    assert "select : " in inspect.getdoc(kerasviz.compare)
