"""Finding codes, one module per domain.

Code letters: ``R`` reading the file, ``V`` validation against the schema,
``H`` hosts and fetching, ``D`` drift between copies.  Each module exposes
``CODES``, a list of :class:`gcheck.findings.CodeInfo`.
"""

from __future__ import annotations

from collections.abc import Iterator

from gcheck.codes import drift, fetch, reading, validation
from gcheck.findings import CodeInfo


def all_codes() -> Iterator[CodeInfo]:
    """Yield every code of every domain, in code order."""
    for module in (reading, validation, fetch, drift):
        yield from module.CODES
