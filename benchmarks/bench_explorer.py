"""The explorer against plot_model and ipycytoscape, in one run: kernel side.

Per model: kerasviz's Python time to build the widget and the bytes it sends (the
view payload plus the renderer bundle, which anywidget sends with every widget),
next to `keras.utils.plot_model(..., "x.png")` and `kerasviz.to_ipycytoscape`
(time and bytes of its one-widget-per-element messages). Browser paint times are
printed by `bench_browser.py`.

    python benchmarks/bench_explorer.py [--sizes 1000,3000,5000] [--skip-plot-model]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from _models import application, ladder
from _wire import counting_comms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,3000,5000")
    parser.add_argument("--skip-plot-model", action="store_true")
    parser.add_argument("--skip-ipycytoscape-above", type=int, default=5000)
    args = parser.parse_args()

    import keras

    import kerasviz

    cases = [
        ("ResNet50", lambda: application("ResNet50")),
        ("NASNetLarge", lambda: application("NASNetLarge")),
    ]
    for n in (int(s) for s in args.sizes.split(",") if s):
        cases.append((f"ladder {n:,}", lambda n=n: ladder(n)))

    print(f"keras {keras.__version__}; times in s, sizes in KB")
    print(
        f"{'model':<14}{'ops':>6}{'kv s':>8}{'kv KB':>9}{'bundle KB':>11}"
        f"{'plot_model s':>14}{'ipycyto s':>11}{'ipycyto KB':>12}{'ipycyto comms':>15}"
    )
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 60_000))  # plot_model recurses
    for name, build in cases:
        model = build()
        with counting_comms() as kv:
            t = time.perf_counter()
            ex = kerasviz.show(model)
            t_kv = time.perf_counter() - t
        bundle = len(ex._esm) if isinstance(ex._esm, str) else os.path.getsize(ex._esm)
        payload_kb = (kv["bytes"] - bundle) / 1024
        t_plot = float("nan")
        if not args.skip_plot_model:
            with tempfile.TemporaryDirectory() as d:
                t = time.perf_counter()
                try:
                    keras.utils.plot_model(
                        model, os.path.join(d, "x.png"), show_shapes=True
                    )
                    t_plot = time.perf_counter() - t
                except Exception as e:
                    print(
                        f"  plot_model failed on {name}: {type(e).__name__}: {e}"[:160]
                    )
        t_cy, cy_kb, cy_comms = float("nan"), float("nan"), 0
        if len(model.operations) <= args.skip_ipycytoscape_above:
            with counting_comms() as cy:
                t = time.perf_counter()
                kerasviz.to_ipycytoscape(model)
                t_cy = time.perf_counter() - t
            cy_kb, cy_comms = cy["bytes"] / 1024, cy["comms"]
        print(
            f"{name:<14}{len(model.operations):>6}{t_kv:>8.3f}{payload_kb:>9.0f}"
            f"{bundle / 1024:>11.0f}{t_plot:>14.2f}{t_cy:>11.2f}{cy_kb:>12.0f}"
            f"{cy_comms:>15}"
        )


if __name__ == "__main__":
    main()
