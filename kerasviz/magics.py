"""``%kerasviz`` and ``%%kerasviz``: the notebook entry point. Thin: parse, look up, call."""

from __future__ import annotations

import ast
import contextlib
import difflib
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from .view.options import ViewOptions
from .view.options import magic_arguments as view_arguments


def _is_keras_model(obj: Any) -> bool:
    mods = [getattr(c, "__module__", "") or "" for c in type(obj).__mro__]
    if not any(m.startswith("keras.") for m in mods):
        return False
    import keras

    return isinstance(obj, keras.Model)


@magics_class
class KerasvizMagics(Magics):
    """IPython magics that draw Keras models."""

    @magic_arguments()
    @argument(
        "model",
        nargs="?",
        help="Name of a Keras model in the notebook. "
        "Without it, list the Keras models defined so far.",
    )
    @view_arguments()
    @argument(
        "--compare",
        action="store_true",
        help="Show the model in both the Sequential and the Functional API, with "
        "generated code and a checked verdict (or why it cannot be Sequential).",
    )
    @argument(
        "--export",
        metavar="PATH",
        help="Write the graph to PATH (.svg, .png, .pdf or .dot; .html: the interactive "
        "explorer as one self-contained file) instead of showing it.",
    )
    @argument(
        "--summary",
        action="store_true",
        help="Show the layers as a table with what each costs (kerasviz.summary: "
        "output shapes, parameters, MACs, output memory and their shares) instead "
        "of the graph.",
    )
    @line_magic
    def kerasviz(self, line: str) -> Any:
        """Show a Keras model as an interactive graph with a layer inspector.

        Examples
        --------
        In [1]: %load_ext kerasviz
        In [2]: %kerasviz model --rankdir LR --select lstm
        In [3]: %kerasviz model --summary   # layers, params, MACs, memory
        In [4]: %kerasviz            # list the Keras models in the notebook
        """
        args = parse_argstring(self.kerasviz, line)
        if args.model is None:
            return self._list_models()
        model = self._lookup(args.model)
        if args.summary:
            from .summary import summary_table

            try:
                return summary_table(model)
            except (TypeError, ValueError) as e:
                raise UsageError(str(e)) from None
        if args.export:
            return self._export(model, args)
        if args.compare:
            from .widgets.comparison import compare

            try:
                return compare(model, options=ViewOptions.from_args(args))
            except (TypeError, ValueError) as e:
                raise UsageError(str(e)) from None
        return self._show(model, args)

    @magic_arguments()
    @view_arguments(exclude=("select",))
    @argument(
        "--replay",
        action="store_true",
        help="Replay the cell step by step: each Input, layer call, add() and Model "
        "beside its line of code. A failure is shown explained on the partial graph "
        "and does not fail the cell.",
    )
    @cell_magic("kerasviz")
    def kerasviz_cell(self, line: str, cell: str) -> Any:
        """Run the cell, then show every Keras model it created or rebound, in order.

        kerasviz watches the cell: each layer remembers the line that built it
        (the inspector shows it). If the cell raises, the error is shown as usual,
        then explained on the graph built up to the failure, then the models
        created before it. With ``--replay`` the cell is replayed step by step.
        """
        args = parse_argstring(self.kerasviz_cell, line)
        # The body starts on the cell's second line (the first holds `%%kerasviz`):
        # that line, as a comment, keeps a traceback's line numbers the cell's own
        # (IPython drops a leading blank line, not a comment).
        first = f"# %%kerasviz {line}".rstrip()
        source = f"{first}\n{cell}"
        number = self._cell_number()
        if args.replay:
            return self._replay(source, number)
        ns = self.shell.user_ns
        before = {k: id(v) for k, v in ns.items()}
        rec = self._recorder(number)
        rec.source = source
        with self._as_cell(number), rec.watch():
            result = self.shell.run_cell(source, store_history=False)
        changed = [
            k
            for k, v in ns.items()
            if not k.startswith("_") and before.get(k) != id(v) and _is_keras_model(v)
        ]
        order = _assignment_order(cell)
        changed.sort(key=lambda k: order.get(k, len(order)))
        error = result.error_in_exec or result.error_before_exec
        for warning in rec.warnings:  # calls that ran, but likely not as meant
            where = f"line {warning.line}: " if warning.line else ""
            print(f"kerasviz: {where}{warning.message} {warning.hint}".rstrip())
        if error is not None:
            rec.failed(error, error.__traceback__)
            self._show_failure(rec, number)
        for name in changed:
            display(self._show(ns[name], args))
        if error is not None:
            shown = (
                f"; kerasviz showed the {len(changed)} model(s) made before it"
                if changed
                else ""
            )
            raise UsageError(
                f"The cell raised {type(error).__name__} (see above){shown}."
            )
        if not changed:
            print("kerasviz: this cell created or rebound no Keras model.")
        return None

    # ---- watching a cell ----------------------------------------------------------
    def _cell_number(self) -> int | None:
        # IPython 9 has already counted this cell when the magic runs (IPython 8 had
        # not), so the shell's counter may name the next cell. The outer cell's
        # result knows its number in both.
        outer = getattr(self.shell.displayhook, "exec_result", None)
        number = getattr(outer, "execution_count", None)
        return number if isinstance(number, int) else None

    @contextlib.contextmanager
    def _as_cell(self, number: int | None) -> Any:
        """Run the body under this cell's own number (a traceback names it)."""
        outer = getattr(self.shell.displayhook, "exec_result", None)
        counter = self.shell.execution_count
        if number is not None:
            self.shell.execution_count = number
        try:
            yield
        finally:
            self.shell.execution_count = counter
            self.shell.displayhook.exec_result = outer

    def _recorder(self, number: int | None) -> Any:
        from .construction.record import Recorder

        ns = self.shell.user_ns

        def is_cell(frame: Any) -> bool:
            # IPython compiles the cell under a name of its own: the cell is the
            # module-level code running in the user's namespace.
            return frame.f_code.co_name == "<module>" and frame.f_globals is ns

        return Recorder(None, cell=number, cell_of=self._cell_of, match=is_cell)

    def _cell_of(self, filename: str) -> int | None:
        """The execution count of the cell compiled as ``filename``, if IPython says."""
        names = getattr(self.shell.compile, "_filename_map", None)
        number = names.get(filename) if isinstance(names, dict) else None
        return number if isinstance(number, int) else None

    def _replay(self, source: str, number: int | None) -> Any:
        from .construction.run import watch_source
        from .widgets.replay import Replay

        name = f"<kerasviz cell [{number}]>" if number else None
        with self._as_cell(number):
            rec, ns = watch_source(
                source,
                self.shell.user_ns,
                filename=name,
                cell=number,
                cell_of=self._cell_of,
            )
        return Replay(rec, ns)

    def _show_failure(self, rec: Any, number: int | None) -> None:
        """The failure explained, on the graph built up to it (the last step)."""
        from .widgets.replay import Replay

        try:
            widget = Replay(rec, self.shell.user_ns)
        except Exception as e:
            print(
                f"kerasviz: could not draw the partial graph ({type(e).__name__}: {e})"
            )
            return
        display(widget)

    # ---- helpers ------------------------------------------------------------------
    def _export(self, model: Any, args: Any) -> None:
        from .export import save

        options = ViewOptions.from_args(args)
        try:
            path = save(model, args.export, **_without_select(options))
        except (ValueError, ImportError, RuntimeError) as e:
            raise UsageError(str(e)) from None
        print(f"kerasviz: wrote {path}")

    def _show(self, model: Any, args: Any) -> Any:
        from .widgets import Explorer

        try:
            return Explorer(model, ViewOptions.from_args(args))
        except ValueError as e:
            raise UsageError(str(e)) from None

    def _lookup(self, name: str) -> Any:
        ns = self.shell.user_ns
        if name not in ns:
            try:
                obj = eval(name, ns)
            except Exception:
                visible = [k for k in ns if not k.startswith("_")]
                close = difflib.get_close_matches(name, visible, n=3)
                hint = f" Did you mean {', '.join(close)}?" if close else ""
                models = self._model_names()
                listing = (
                    f" Keras models here: {', '.join(models)}."
                    if models
                    else " No Keras model is defined yet."
                )
                raise UsageError(
                    f"%kerasviz: no variable named {name!r} in the notebook.{hint}{listing}"
                ) from None
        else:
            obj = ns[name]
        if not _is_keras_model(obj):
            kind = f"{type(obj).__module__}.{type(obj).__qualname__}"
            what = "a Keras layer, not a model" if _is_keras_layer(obj) else f"a {kind}"
            # `name=value` only for a variable: `%kerasviz 42` received 42, not 42=42.
            received = f"{name}={_short(obj)}" if name.isidentifier() else name
            raise UsageError(
                f"%kerasviz draws Keras models; {name!r} is {what}. Pass the name of a "
                f"keras.Model, keras.Sequential or Functional model. "
                f"Received: {received}"
            )
        return obj

    def _model_names(self) -> list[str]:
        return [
            k
            for k, v in self.shell.user_ns.items()
            if not k.startswith("_") and _is_keras_model(v)
        ]

    def _list_models(self) -> None:
        names = self._model_names()
        if not names:
            print(
                "No Keras models in this notebook yet. Build one, then `%kerasviz NAME`."
            )
            return
        from .graph import graph_of
        from .view.elements import layer_count

        ns = self.shell.user_ns
        print("Keras models in this notebook (show one with `%kerasviz NAME`):")
        for k in names:
            m = ns[k]
            built = getattr(m, "built", False)
            params = f"{m.count_params():,} params" if built else "not built"
            # counted as every kerasviz view counts them (not len(m.layers), which
            # counts a Functional model's InputLayers but not a Sequential's)
            count = layer_count({"graph": graph_of(m, expand_nested=True).to_json()})
            print(f"  {k:<20} {type(m).__name__:<12} {count:>4} layers  {params}")


def _without_select(options: ViewOptions) -> dict[str, Any]:
    """The options of a view with no selection to start with (an export, compare)."""
    return {k: v for k, v in options.as_dict().items() if k != "select"}


def _is_keras_layer(obj: Any) -> bool:
    return any(
        (getattr(c, "__module__", "") or "").startswith("keras.")
        for c in type(obj).__mro__
    ) and hasattr(obj, "get_config")


def _short(obj: Any) -> str:
    r = repr(obj)
    return r if len(r) <= 60 else r[:57] + "..."


def _assignment_order(cell: str) -> dict[str, int]:
    """Name → position of its first assignment in the cell (for display order)."""
    try:
        tree = ast.parse(cell)
    except SyntaxError:
        return {}
    order: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            key = (node.lineno, node.col_offset)
            if node.id not in order or key < order[node.id]:
                order[node.id] = key  # type: ignore[assignment]
    ranked = sorted(order, key=lambda k: order[k])
    return {k: i for i, k in enumerate(ranked)}


def _plain_help(func: Any) -> None:
    """Drop the reST ``::`` that magic_arguments puts before the usage line.

    IPython writes the help as reStructuredText for Sphinx; ``%kerasviz?`` prints it
    as it is, so a learner would see a stray ``::`` first.
    """
    doc = func.__doc__ or ""
    if doc.startswith("::"):
        func.__doc__ = "Usage:\n" + doc[2:].lstrip("\n")


_plain_help(KerasvizMagics.kerasviz)
_plain_help(KerasvizMagics.kerasviz_cell)


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%kerasviz`` and ``%%kerasviz`` (``%load_ext kerasviz``)."""
    ipython.register_magics(KerasvizMagics)
