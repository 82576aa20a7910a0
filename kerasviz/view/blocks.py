"""Find repeated blocks by layer name (``conv2_block1_*``, ``block2a_*``, NASNet cells).

Pure functions over a :class:`~kerasviz.graph.ModelGraph`. Two naming habits cover
the big ``keras.applications`` nets:

* a **prefix** that ends in a numbered token: ``conv2_block1_1_conv`` is in block
  ``conv2_block1``, itself inside stage ``conv2``; ``block2a_expand_conv`` is in
  ``block2a``; ``block_1_expand`` is in ``block_1``;
* a **suffix** naming a cell: ``separable_conv_2_reduction_left4_stem_1`` is in cell
  ``stem_1``, ``normal_add_5_12`` in cell ``12`` (NASNet).

A name Keras made up itself (``conv2d_14``, ``activation_3``) says nothing about
blocks and is left alone, as is any group of fewer than three layers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..graph import ModelGraph

MIN_MEMBERS = 3
_AUTO_SUFFIX = re.compile(r"_\d+$")


@dataclass(frozen=True)
class Block:
    """A container grouping layers by name; ``parent`` is a block id, a nested-model
    node id, or None."""

    id: str
    label: str
    parent: str | None


def snake_case(class_name: str) -> str:
    """The snake_case Keras uses for automatic layer names (``Conv2D`` → ``conv2d``)."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def is_auto_name(name: str, class_name: str) -> bool:
    """True for names Keras generated (``dense``, ``dense_3``, ``conv2d_14``)."""
    return _AUTO_SUFFIX.sub("", name) == snake_case(class_name)


def _prefix_keys(tokens: list[str]) -> list[str]:
    keys = []
    for i, tok in enumerate(tokens[:-1]):
        mixed = any(c.isdigit() for c in tok) and any(c.isalpha() for c in tok)
        numbered = tok.isdigit() and i > 0 and tokens[i - 1].isalpha()
        if mixed or numbered:
            keys.append("_".join(tokens[: i + 1]))
    return keys


def _suffix_keys(names: list[str]) -> dict[str, str]:
    """Cell suffixes (NASNet): name → key, for suffixes shared by enough names."""
    tokens = {n: n.split("_") for n in names}
    two = {
        n: "_".join(t[-2:])
        for n, t in tokens.items()
        if len(t) >= 3 and t[-1].isdigit() and t[-2].isalpha()
    }
    count_two = Counter(two.values())
    out = {n: k for n, k in two.items() if count_two[k] >= MIN_MEMBERS}
    one = {
        n: t[-1]
        for n, t in tokens.items()
        if n not in out and len(t) >= 3 and t[-1].isdigit()
    }
    count_one = Counter(one.values())
    out.update({n: k for n, k in one.items() if count_one[k] >= MIN_MEMBERS})
    return out


def find_blocks(graph: ModelGraph) -> tuple[list[Block], dict[str, str]]:
    """Blocks of ``graph`` and the block each grouped node sits in (its innermost)."""
    siblings: dict[str | None, list[tuple[str, str]]] = {}
    for n in graph.nodes:
        if not is_auto_name(n.name, n.class_name) and n.kind != "input":
            siblings.setdefault(n.parent, []).append((n.id, n.name))
    blocks: list[Block] = []
    member_of: dict[str, str] = {}
    for parent, members in siblings.items():
        b, m = _blocks_among(parent, members)
        blocks += b
        member_of.update(m)
    return blocks, member_of


def _blocks_among(
    parent: str | None, members: list[tuple[str, str]]
) -> tuple[list[Block], dict[str, str]]:
    prefix = f"block:{parent}/" if parent else "block:"
    names = [name for _, name in members]
    suffix = _suffix_keys(names)
    chains: dict[str, list[str]] = {}
    for node_id, name in members:
        if name in suffix:
            chains[node_id] = [f"cell {suffix[name]}"]
        else:
            chains[node_id] = _prefix_keys(name.split("_"))
    counts = Counter(k for chain in chains.values() for k in chain)
    everyone = len(members)
    valid = {k for k, c in counts.items() if MIN_MEMBERS <= c < everyone}
    chains = {i: [k for k in ch if k in valid] for i, ch in chains.items()}
    chains = {i: ch for i, ch in chains.items() if ch}
    # Drop a level that adds nothing: a key whose members all share one inner key.
    inner_of: dict[str, set[str | None]] = {}
    for ch in chains.values():
        for depth, key in enumerate(ch):
            inner_of.setdefault(key, set()).add(
                ch[depth + 1] if depth + 1 < len(ch) else None
            )
    redundant = {
        k for k, inner in inner_of.items() if len(inner) == 1 and None not in inner
    }
    chains = {i: [k for k in ch if k not in redundant] for i, ch in chains.items()}
    blocks: dict[str, Block] = {}
    member_of: dict[str, str] = {}
    for node_id, ch in chains.items():
        up = parent
        for key in ch:
            bid = prefix + key
            blocks.setdefault(bid, Block(bid, key, up))
            up = bid
        member_of[node_id] = up  # type: ignore[assignment]
    return list(blocks.values()), member_of
