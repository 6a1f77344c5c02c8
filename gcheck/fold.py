"""Fold host names into ranges: ``drone01,drone02,drone03`` to ``drone[01-03]``.

ClusterShell's ``NodeSet`` does the folding.  It reads its input as a
pattern language (``,`` separates names, ``[1-3]`` is a range, ``@`` names
a group, ``!``, ``&`` and ``^`` are set operators), so only names made of
characters with no meaning there go through it.  Every other name (empty,
with spaces or brackets, an IPv6 address) is listed as it is, after the
folded ranges.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Letters, digits, dots, hyphens and underscores mean nothing to NodeSet's
# pattern parser, so such a name folds and expands back to itself.
_FOLDABLE = re.compile(r"[A-Za-z0-9._-]+")
# A listed name is quoted when it would otherwise be misread in the list.
_NEEDS_QUOTES = re.compile(r"[\s,'\"\[\]]|^$")


def fold(names: Iterable[str]) -> str:
    """Return ``names`` as one comma-separated string, ranges folded.

    Duplicates are shown once.  Names NodeSet cannot represent follow the
    folded ones in their first order, quoted when empty or when they
    contain spaces, commas, quotes or brackets.
    """
    unique = list(dict.fromkeys(names))
    foldable = [name for name in unique if _FOLDABLE.fullmatch(name)]
    others = [name for name in unique if not _FOLDABLE.fullmatch(name)]
    parts = [_fold_safe(foldable)] if foldable else []
    parts.extend(_show(name) for name in others)
    return ",".join(parts)


def _fold_safe(names: list[str]) -> str:
    from ClusterShell.NodeSet import NodeSet

    nodes = NodeSet.fromlist(names)
    if len(nodes) != len(names):
        # Should NodeSet ever merge two distinct names, list every name
        # rather than lose one.
        return ",".join(names)
    return str(nodes)


def _show(name: str) -> str:
    if _NEEDS_QUOTES.search(name):
        return repr(name)
    return name
