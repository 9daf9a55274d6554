"""The server freezes its long-lived objects after each page's first run."""

from __future__ import annotations

import gc
import weakref

import pytest

from territoires.ui import memory


@pytest.fixture
def fresh_memory(monkeypatch):
    monkeypatch.setattr(memory, "_settled", set())
    yield
    gc.unfreeze()  # leave the test process's collector as it was


class _Node:
    """A container the cyclic collector tracks."""


def _tracked(obj: object) -> bool:
    return any(o is obj for o in gc.get_objects())


def test_first_run_of_a_page_freezes_the_survivors(fresh_memory):
    survivor = _Node()
    assert _tracked(survivor)  # the collector walks it before
    assert memory.settle_after_first_run("carte") is True
    assert gc.get_freeze_count() > 0
    assert not _tracked(survivor)  # frozen: later collections skip it


def test_garbage_is_collected_before_the_freeze(fresh_memory):
    cycle = _Node()
    cycle.me = cycle  # a reference cycle: only the cyclic collector frees it
    alive = weakref.ref(cycle)
    del cycle
    memory.settle_after_first_run("carte")
    assert alive() is None  # freed, not frozen for the life of the process


def test_once_per_page(fresh_memory):
    assert memory.settle_after_first_run("carte") is True
    later = _Node()
    assert memory.settle_after_first_run("carte") is False
    assert _tracked(later)  # the second run of the page froze nothing
    assert memory.settle_after_first_run("fiche") is True
    assert not _tracked(later)


def test_release_memory_hands_freed_memory_back_on_glibc():
    import platform

    from territoires.ui.memory import release_memory

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("malloc_trim n'existe que dans la bibliothèque C GNU")
    assert release_memory() is True
