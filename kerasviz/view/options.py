"""The display options every kerasviz view takes, defined once.

:func:`kerasviz.show`, :class:`~kerasviz.Explorer`, :func:`kerasviz.compare`,
:func:`~kerasviz.view.view_payload`, :func:`kerasviz.mimebundle.mime_bundle` and
the ``%kerasviz`` / ``%%kerasviz`` magics all read them from :class:`ViewOptions`:
a new option is a new field here (with its help text and its magic flag), and
every entry point takes it, checks it and documents it the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def _option(default: Any, help: str, flag: str, **argparse: Any) -> Any:
    return field(
        default=default, metadata={"help": help, "flag": flag, "argparse": argparse}
    )


@dataclass(frozen=True)
class ViewOptions:
    """How a model is shown. Every field has a default; see :data:`OPTION_DOCS`.

    Examples
    --------
    >>> ViewOptions(rankdir="lr").rankdir
    'LR'
    >>> ViewOptions.from_kwargs("show()", show_shapes=False).show_shapes
    False
    """

    rankdir: str = _option(
        "TB",
        "Layout direction: top to bottom (TB) or left to right (LR).",
        "--rankdir",
        choices=["TB", "LR"],
        type=str.upper,
    )
    show_shapes: bool = _option(
        True,
        "Write output shapes on the edges.",
        "--no-shapes",
        action="store_false",
        dest="show_shapes",
    )
    expand_nested: bool = _option(
        False,
        "Open nested models at first.",
        "--expand-nested",
        action="store_true",
    )
    select: str | None = _option(
        None,
        "Layer (name or node id) to select at first.",
        "--select",
        metavar="LAYER",
    )
    lint: bool = _option(
        False,
        "Check the model (kerasviz.lint) and show the findings: a badge on each "
        "layer concerned, the list above the graph, the fix in the inspector.",
        "--lint",
        action="store_true",
    )

    overlay: str | None = _option(
        None,
        "Colour the layers by a number, with a legend: params, macs, flops, memory "
        "(activation bytes) or share (of the FLOPs); the explorer's menu lists "
        "every overlay.",
        "--overlay",
        metavar="METRIC",
    )

    dims: dict[str, int] | int | None = _option(  # noqa: RUF009 (as the others)
        None,
        "Sizes for the unknown (None) dimensions the costs need, as kerasviz.costs "
        "takes them: {'sequence': 128}, {'height': 224, 'width': 224}, or one int "
        "for all. Flag: --dims sequence=128 or --dims 128.",
        "--dims",
        metavar="SIZES",
        type=lambda text: _dims_flag(text),
    )

    def __post_init__(self) -> None:
        rankdir = str(self.rankdir).upper() if isinstance(self.rankdir, str) else None
        if rankdir not in ("TB", "LR"):
            raise ValueError(
                "rankdir must be 'TB' (top to bottom) or 'LR' (left to right). "
                f"Received: rankdir={self.rankdir!r}"
            )
        object.__setattr__(self, "rankdir", rankdir)
        for name in ("show_shapes", "expand_nested", "lint"):
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise TypeError(
                    f"{name} must be True or False. Received: {name}={value!r}"
                )
        if self.overlay is not None and not isinstance(self.overlay, str):
            raise TypeError(
                "overlay must be the name of an overlay (params, macs, flops, memory, "
                f"share, ...) or None. Received: overlay={self.overlay!r}"
            )
        if self.dims is not None:
            from ..costs import _check_dims

            object.__setattr__(self, "dims", _check_dims(self.dims))
        if self.select is not None and not isinstance(self.select, str):
            raise TypeError(
                "select must be a layer name or node id (a string), or None. "
                f"Received: select={self.select!r}"
            )

    @classmethod
    def names(cls) -> list[str]:
        """The option names, in order."""
        return [f.name for f in fields(cls)]

    @classmethod
    def from_kwargs(cls, where: str, **kwargs: Any) -> ViewOptions:
        """The options in ``kwargs``; an unknown name is a ``TypeError`` that says
        which names there are (and the closest one)."""
        known = cls.names()
        unknown = [k for k in kwargs if k not in known]
        if unknown:
            bad = unknown[0]
            close = difflib.get_close_matches(bad, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise TypeError(
                f"{where} got an unknown option {bad!r}.{hint} Its display options "
                f"are {', '.join(known)}. Received: {bad}={kwargs[bad]!r}"
            )
        return cls(**kwargs)

    @classmethod
    def from_args(cls, args: Any) -> ViewOptions:
        """The options parsed by :func:`magic_arguments` (``%kerasviz --rankdir LR``)."""
        return cls(
            **{name: getattr(args, name) for name in cls.names() if hasattr(args, name)}
        )

    def replace(self, **changes: Any) -> ViewOptions:
        """A copy with some options changed (checked like the constructor)."""
        return type(self).from_kwargs(
            "ViewOptions.replace()", **{**self.as_dict(), **changes}
        )

    def as_dict(self) -> dict[str, Any]:
        """``{name: value}`` of every option."""
        return {name: getattr(self, name) for name in self.names()}


def options_from(
    where: str,
    options: ViewOptions | Mapping[str, Any] | None,
    kwargs: Mapping[str, Any],
) -> ViewOptions:
    """One :class:`ViewOptions` from an ``options=`` object and/or keyword options
    (keywords win), as every entry point takes them."""
    if options is None:
        base: dict[str, Any] = {}
    elif isinstance(options, ViewOptions):
        base = options.as_dict()
    elif isinstance(options, Mapping):
        base = dict(options)
    else:
        raise TypeError(
            f"{where}: options must be a kerasviz.ViewOptions or a dict of display "
            f"options. Received: options={options!r}"
        )
    return ViewOptions.from_kwargs(where, **{**base, **kwargs})


def parse_dims(text: str) -> dict[str, int] | int:
    """``--dims`` of the magics: ``128``, or ``sequence=128`` /
    ``height=224,width=224``."""
    text = text.strip()
    try:
        if "=" not in text:
            return int(text)
        sizes = {}
        for part in text.split(","):
            name, _, value = part.partition("=")
            sizes[name.strip()] = int(value)
        return sizes
    except ValueError:
        raise ValueError(
            "--dims takes one size for every unknown dimension (--dims 128) or "
            "name=size pairs (--dims sequence=128 or --dims height=224,width=224). "
            f"Received: --dims {text}"
        ) from None


def _dims_flag(text: str) -> dict[str, int] | int:
    import argparse

    try:
        return parse_dims(text)
    except ValueError as e:  # argparse shows an ArgumentTypeError's own message
        raise argparse.ArgumentTypeError(str(e)) from None


#: The numpydoc "Parameters" lines of the display options, for docstrings.
OPTION_DOCS = "\n".join(
    f"    {f.name} : {f.type}, default {f.default!r}\n        {f.metadata['help']}"
    for f in fields(ViewOptions)
)


def magic_arguments(*, exclude: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Add the display options as flags of an IPython magic (``%kerasviz``):
    ``--rankdir LR``, ``--no-shapes``, ``--expand-nested``, ``--select LAYER``.
    Use it below ``@magic_arguments()`` and the magic's own ``@argument``s."""
    from IPython.core.magic_arguments import argument

    def decorate(func: F) -> F:
        for f in reversed(fields(ViewOptions)):
            if f.name in exclude:
                continue
            spec = dict(f.metadata["argparse"])
            if spec.get("action") not in ("store_true", "store_false"):
                spec.setdefault("default", f.default)
            func = argument(f.metadata["flag"], help=f.metadata["help"], **spec)(func)
        return func

    return decorate


def document_options(obj: F) -> F:
    """Write the display options into ``obj``'s docstring, where it says
    ``{view_options}`` (on a line of its own, indented as its Parameters)."""
    if obj.__doc__ and "    {view_options}" in obj.__doc__:
        obj.__doc__ = obj.__doc__.replace("    {view_options}", OPTION_DOCS)
    return obj
