"""How kerasviz writes counts and byte sizes, everywhere: cost and summary tables,
overlay legends (labextension/src/overlay.ts formatMetricValue writes the same)."""

from __future__ import annotations


def count(n: float | None) -> str:
    """Exact below 10,000, then 3 significant digits: 9,999, 12.3 K, 3.86 G; ? for None."""
    if n is None:
        return "?"
    a = abs(n)
    if a < 10_000:
        return f"{round(n):,}"
    for size, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")):
        if a >= size:
            return f"{n / size:.3g} {suffix}"
    return f"{round(n):,}"  # pragma: no cover (a >= 10,000 always has a suffix)


def size(n: float | None) -> str:
    """Bytes in powers of 1,024 to 3 significant digits: 512 B, 1.5 KB, 3.4 MB; ? for None."""
    if n is None:
        return "?"
    v, i = float(n), 0
    units = ["B", "KB", "MB", "GB", "TB"]
    while abs(v) >= 1024 and i < len(units) - 1:
        v, i = v / 1024, i + 1
    return f"{round(v)} B" if i == 0 else f"{v:.3g} {units[i]}"
