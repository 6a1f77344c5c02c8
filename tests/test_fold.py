"""Host name folding: ranges through NodeSet, odd names listed."""

from __future__ import annotations

import pytest
from ClusterShell.NodeSet import NodeSet
from hypothesis import given
from hypothesis import strategies as st

from gcheck.fold import fold


@pytest.mark.parametrize(
    ("names", "folded"),
    [
        ([f"drone{n:02d}" for n in [*range(1, 18), 19]], "drone[01-17,19]"),
        (["results", "drone2", "drone1"], "drone[1-2],results"),
        (["drone01", "drone1"], "drone[1,01]"),
        (["127.0.5.1", "127.0.5.2", "127.0.5.3"], "127.0.5.[1-3]"),
        (["drone1", "drone1"], "drone1"),
        ([], ""),
    ],
)
def test_fold_ranges(names, folded):
    assert fold(names) == folded


@pytest.mark.parametrize(
    ("names", "folded"),
    [
        ([""], "''"),
        (["drone 1"], "'drone 1'"),
        (["::1", "fe80::2"], "::1,fe80::2"),
        (["x[1-3]"], "'x[1-3]'"),
        (["@group", "a!b", "a&b", "a^b"], "@group,a!b,a&b,a^b"),
        (["a,b"], "'a,b'"),
        (["drone1\ndrone2"], "'drone1\\ndrone2'"),
        (["drone2", "", "drone1"], "drone[1-2],''"),
    ],
)
def test_fold_lists_odd_names(names, folded):
    assert fold(names) == folded


@given(st.lists(st.from_regex(r"[A-Za-z0-9._-]{1,12}", fullmatch=True), max_size=30))
def test_fold_expands_to_same_names(names):
    assert set(NodeSet(fold(names))) == set(names)


@given(st.lists(st.text(max_size=8), max_size=10))
def test_fold_never_raises(names):
    assert isinstance(fold(names), str)
