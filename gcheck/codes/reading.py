"""Finding codes for this domain."""

from gcheck.findings import CodeInfo, Severity

CODES: list[CodeInfo] = []
