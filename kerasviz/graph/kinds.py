"""Sort Keras operations into the layer families kerasviz colours by."""

from __future__ import annotations

from functools import cache

_EXACT = {
    "InputLayer": "input",
    "Dense": "dense",
    "EinsumDense": "dense",
    "Embedding": "embedding",
    "Activation": "activation",
    "ReLU": "activation",
    "Softmax": "activation",
    "LeakyReLU": "activation",
    "PReLU": "activation",
    "ELU": "activation",
    "GaussianNoise": "dropout",
    "RNN": "recurrent",
    "Bidirectional": "recurrent",
    "Merge": "merge",
    "Add": "merge",
    "Subtract": "merge",
    "Multiply": "merge",
    "Average": "merge",
    "Maximum": "merge",
    "Minimum": "merge",
    "Concatenate": "merge",
    "Dot": "merge",
    "Reshape": "reshape",
    "Flatten": "reshape",
    "Permute": "reshape",
    "RepeatVector": "reshape",
}

# Substring rules, tried in order, for families with many members.
_CONTAINS = (
    ("ConvLSTM", "recurrent"),
    ("Conv", "conv"),
    ("Pooling", "pooling"),
    ("Normalization", "normalization"),
    ("Dropout", "dropout"),
    ("Attention", "attention"),
    ("Cropping", "reshape"),
    ("ZeroPadding", "reshape"),
    ("UpSampling", "reshape"),
)


def kind_of_class(cls: type) -> str:
    """The family of a Keras operation class, read from its MRO (cached)."""
    return _kind_of_class(cls)


@cache
def _kind_of_class(cls: type) -> str:
    names = [c.__name__ for c in cls.__mro__]
    if "Model" in names and any(c.__module__.startswith("keras.") for c in cls.__mro__):
        return "model"
    if "Layer" not in names:
        return "op"
    for name in names:
        if name in _EXACT:
            return _EXACT[name]
        for part, kind in _CONTAINS:
            if part in name:
                return kind
        if name == "Layer":
            break
    return "other"


_public: dict[type, str] = {}


def public_module(cls: type) -> str:
    """Where users import ``cls`` from: ``keras.layers`` for Dense, else its module."""
    if not _public:
        import keras

        for ns in (keras.layers, keras.models, keras):
            for name in dir(ns):
                obj = getattr(ns, name, None)
                if isinstance(obj, type):
                    _public.setdefault(obj, ns.__name__)
        _public[object] = "builtins"
    return _public.get(cls, cls.__module__)
