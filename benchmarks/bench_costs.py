"""kerasviz.costs against independent counts of the same models.

Prints, per model: kerasviz's MACs and FLOPs (one forward pass, batch size 1), the
TensorFlow profiler's ``float_ops`` of the traced forward function (TF backend), the
ratios, the figure the model's paper gives where there is one, and how long
``costs()`` took. Then, when ``/tmp/venv-jax`` exists, the same under the JAX backend
against ``jax.jit(f).lower(x).compile().cost_analysis()["flops"]``. Target (issue
13): totals within 5 % of the independent count. It prints figures and asserts
nothing.

    python benchmarks/bench_costs.py [--no-jax]

What the independent counters count: TF's profiler counts the ops with registered
flops statistics (MatMul, Conv2D/3D, DepthwiseConv2dNative, BiasAdd, Add, Mul, Sub,
RealDiv, Rsqrt, pooling, Mean, Softmax...) and misses activations (Relu, Sigmoid,
Tanh, Exp), while loops (RNNs) and nested function calls. XLA's cost analysis counts
every HLO op of the compiled program, after its own rewrites.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

JAX_PYTHON = Path("/tmp/venv-jax/bin/python")

#: Published figures (multiply-adds at 224x224) and where they come from.
PUBLISHED = {
    "ResNet50": (3.8e9, "He et al. 2015, Table 1"),
    "MobileNetV2": (300e6, "Sandler et al. 2018, Table 4"),
    "EfficientNetB0": (0.39e9, "Tan & Le 2019, Table 2 ('FLOPS')"),
}


# ---- the models --------------------------------------------------------------------
def seed_sequential():
    """The seed article's Sequential: the batch dimension put into input_shape, so
    its axis 1 is an unknown 'sequence' (dims={'sequence': 10} here)."""
    import warnings

    import keras

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = keras.Sequential(
            [
                keras.layers.Dense(32, activation="relu", input_shape=(None, 128)),
                keras.layers.Dense(2, activation="softmax"),
            ],
            name="seed_sequential",
        )
    return m


def seed_functional(unroll: bool = False):
    """The seed article's two-input, two-output model in its Keras 3 form
    (``unroll=True``: its LSTM unrolled, which TF's profiler can count)."""
    import keras
    from keras import layers

    main_input = keras.Input(shape=(100,), dtype="int32", name="main_input")
    x = layers.Embedding(output_dim=512, input_dim=10000)(main_input)
    lstm_out = layers.LSTM(32, unroll=unroll)(x)
    aux_output = layers.Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
    aux_input = keras.Input(shape=(5,), name="aux_input")
    x = layers.concatenate([lstm_out, aux_input])
    for _ in range(3):
        x = layers.Dense(64, activation="relu")(x)
    main_output = layers.Dense(1, activation="sigmoid", name="main_output")(x)
    return keras.Model(
        inputs=[main_input, aux_input], outputs=[main_output, aux_output]
    )


def lstm_alone():
    """The seed's LSTM alone (100 steps of 512 features, 32 units), unrolled."""
    import keras

    x = keras.Input((100, 512))
    return keras.Model(x, keras.layers.LSTM(32, unroll=True)(x), name="lstm_alone")


def bert():
    import keras_hub

    return keras_hub.models.BertBackbone(
        vocabulary_size=30522,
        num_layers=2,
        num_heads=2,
        hidden_dim=128,
        intermediate_dim=512,
        max_sequence_length=128,
    )


def application(name: str):
    import keras

    return getattr(keras.applications, name)(weights=None, input_shape=(224, 224, 3))


def models():
    """(label, builder, dims) of every benchmarked model."""
    import importlib.util

    out = [
        ("ResNet50", lambda: application("ResNet50"), None),
        ("MobileNetV2", lambda: application("MobileNetV2"), None),
        ("EfficientNetB0", lambda: application("EfficientNetB0"), None),
    ]
    if importlib.util.find_spec("keras_hub"):
        out.append(("BERT (KerasHub, 2x128, seq 128)", bert, {"sequence": 128}))
    out += [
        ("seed Sequential", seed_sequential, {"sequence": 10}),
        ("seed Functional (LSTM)", seed_functional, None),
        ("seed Functional, LSTM unrolled", lambda: seed_functional(True), None),
        ("its LSTM alone, unrolled", lstm_alone, None),
    ]
    return out


# ---- independent counts ------------------------------------------------------------
def sample_inputs(model, dims, make):
    """``make(shape, dtype)`` for each of the model's inputs, in its input structure,
    every unknown size filled: batch 1, the rest from ``dims``."""
    import keras

    from kerasviz.graph import graph_of

    fill = next(iter(dims.values())) if dims else 1

    def one(shape, dtype):
        return make([1] + [fill if d is None else int(d) for d in shape[1:]], dtype)

    try:
        structure = model.input
    except (AttributeError, ValueError):  # a Sequential built from input_shape=
        g = graph_of(model)
        node = g.node(g.model.inputs[0])
        return one(g.model.input_shapes[0], node.dtype or "float32")
    return keras.tree.map_structure(lambda t: one(t.shape, t.dtype), structure)


def tf_float_ops(model, dims) -> int:
    import tensorflow as tf

    specs = sample_inputs(model, dims, tf.TensorSpec)

    def forward(x):
        return model(x, training=False)

    graph = tf.function(forward).get_concrete_function(specs).graph
    builder = tf.compat.v1.profiler.ProfileOptionBuilder
    options = builder(builder.float_operation()).with_empty_output().build()
    return tf.compat.v1.profiler.profile(graph=graph, options=options).total_float_ops


def jax_flops(model, dims) -> int:
    import jax
    import jax.numpy as jnp

    x = sample_inputs(model, dims, jnp.zeros)
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]

    def forward(tv, ntv, x):
        out, _ = model.stateless_call(tv, ntv, x, training=False)
        return out

    analysis = jax.jit(forward).lower(trainable, non_trainable, x).compile()
    cost = analysis.cost_analysis()
    if isinstance(cost, list):  # older jax: one dict per computation
        cost = cost[0]
    return int(cost["flops"])


# ---- the table ---------------------------------------------------------------------
def fmt(n):
    if n is None:
        return "?"
    for div, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= div:
            return f"{n / div:.4g}{unit}"
    return str(int(n))


def ratio(a, b):
    return "?" if a is None or not b else f"{a / b:.3f}"


def rows(counter) -> list[dict]:
    from kerasviz.costs import costs

    out = []
    for label, build, dims in models():
        model = build()
        t = time.perf_counter()
        report = costs(model, dims=dims)
        took = time.perf_counter() - t
        try:
            theirs = counter(model, dims)
            error = None
        except Exception as e:  # print what failed, keep going
            theirs, error = None, f"{type(e).__name__}: {str(e)[:120]}"
        total = report.total
        pub = PUBLISHED.get(label)
        out.append(
            {
                "model": label,
                "macs": total.macs,
                "flops": total.flops,
                "theirs": theirs,
                "published": pub[0] if pub else None,
                "source": pub[1] if pub else None,
                "seconds": took,
                "error": error,
                "reason": total.reason,
            }
        )
    return out


def print_table(title: str, counter_name: str, data: list[dict]) -> None:
    head = (
        "model",
        "kerasviz MACs",
        "kerasviz FLOPs",
        counter_name,
        "FLOPs/indep.",
        "2·MACs/indep.",
        "published MACs",
        "MACs/published",
        "costs() s",
    )
    body = [
        (
            r["model"],
            fmt(r["macs"]),
            fmt(r["flops"]),
            fmt(r["theirs"]),
            ratio(r["flops"], r["theirs"]),
            ratio(None if r["macs"] is None else 2 * r["macs"], r["theirs"]),
            fmt(r["published"]),
            ratio(r["macs"], r["published"]),
            f"{r['seconds']:.3f}",
        )
        for r in data
    ]
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]
    print(f"\n{title}")
    print(" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for b in body:
        print(" | ".join(str(c).ljust(w) for c, w in zip(b, widths, strict=True)))
    for r in data:
        if r["error"]:
            print(f"  {r['model']}: the independent count failed: {r['error']}")
        if r["reason"]:
            print(f"  {r['model']}: {r['reason']}")
        if r["source"]:
            print(f"  {r['model']}: published figure from {r['source']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-jax", action="store_true", help="skip the JAX run")
    parser.add_argument(
        "--jax-child", action="store_true", help=argparse.SUPPRESS
    )  # the JAX run: print JSON rows
    args = parser.parse_args()
    if args.jax_child:
        print("JSON:" + json.dumps(rows(jax_flops)))
        return
    import keras

    print(f"keras {keras.__version__}, backend {keras.backend.backend()}")
    print_table(
        "TensorFlow backend: kerasviz vs the TF profiler's float_ops (batch 1)",
        "TF float_ops",
        rows(tf_float_ops),
    )
    if args.no_jax:
        return
    if not JAX_PYTHON.exists():
        print(f"\n(JAX run skipped: {JAX_PYTHON} does not exist)")
        return
    env = {**os.environ, "KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [str(JAX_PYTHON), __file__, "--jax-child"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [x for x in done.stdout.splitlines() if x.startswith("JSON:")]
    if done.returncode != 0 or not lines:
        print("\nJAX run failed:\n" + done.stderr[-2000:])
        return
    print_table(
        "JAX backend: kerasviz vs XLA's cost_analysis() flops (batch 1)",
        "XLA flops",
        json.loads(lines[-1][5:]),
    )


if __name__ == "__main__":
    main()
