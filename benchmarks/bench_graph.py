"""graph_of() against model.summary() and keras.utils.model_to_dot(), in one run.

Prints, per model: ops, graph_of time (with every custom layer traced for the KerasHub
BERT row, when keras_hub is installed) (configs included), JSON bytes per node, and
the peers' times with the ratio graph_of / summary. Targets (issue 2): graph_of under
half of summary() on NASNetLarge; under 600 JSON bytes per node.

    python benchmarks/bench_graph.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import time

from _models import application, bert_backbone, ladder


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import keras

    import kerasviz

    # (name, build, expand_nested): "BERT x12 open" reads a KerasHub backbone with
    # its 12 transformer blocks opened, each traced from its call().
    cases = [
        ("ResNet50", lambda: application("ResNet50"), False),
        ("NASNetLarge", lambda: application("NASNetLarge"), False),
        ("Ladder 2,000", lambda: ladder(2000), False),
    ]
    if bert_backbone is not None:
        cases.append(("BERT x12 open", lambda: bert_backbone(12), True))
    head = (
        f"{'model':<14}{'ops':>6}{'edges':>7}{'graph_of s':>12}{'first s':>9}"
        f"{'B/node':>8}{'summary s':>11}{'to_dot s':>10}{'graph_of/summary':>18}"
    )
    print(
        f"keras {keras.__version__}, python {sys.version.split()[0]}, "
        f"median of {args.repeat}"
    )
    print(head)
    for name, build, expand in cases:
        model = build()
        t = time.perf_counter()
        # first read: also computes class defaults
        g = kerasviz.graph_of(model, expand_nested=expand)
        first = time.perf_counter() - t
        t_graph = median_time(
            lambda m=model, e=expand: kerasviz.graph_of(m, expand_nested=e),
            args.repeat,
        )
        size = len(json.dumps(g.to_json(), separators=(",", ":")))

        def summary(m=model):
            with contextlib.redirect_stdout(io.StringIO()):
                m.summary()

        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 50_000))  # Keras's peers recurse per layer
        try:
            t_summary = median_time(summary, max(1, args.repeat // 2))
            t_dot = median_time(
                lambda m=model: keras.utils.model_to_dot(m, show_shapes=True),
                max(1, args.repeat // 2),
            )
        finally:
            sys.setrecursionlimit(limit)
        print(
            f"{name:<14}{len(model.operations):>6}{len(g.edges):>7}{t_graph:>12.3f}"
            f"{first:>9.3f}{size / len(g.nodes):>8.0f}{t_summary:>11.3f}{t_dot:>10.3f}"
            f"{t_graph / t_summary:>18.2f}"
        )


if __name__ == "__main__":
    main()
