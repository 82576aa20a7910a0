"""Sequential ⇄ Functional: generated code and a checked equivalence."""

from .equivalence import EquivalenceReport, check_equivalent, match_graphs
from .generate import CodegenWarning, to_code
from .reasons import NotSequentialError, sequential_reasons

__all__ = [
    "CodegenWarning",
    "EquivalenceReport",
    "NotSequentialError",
    "check_equivalent",
    "match_graphs",
    "sequential_reasons",
    "to_code",
]
