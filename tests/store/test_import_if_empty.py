"""``import_batch(if_empty=True)``, how the demo is loaded: app processes that start at once on
an empty database (several processes behind a proxy) load it once, on each backend."""

from __future__ import annotations

import threading
import time

from territoires.store import Actor, initiatives, open_store

ACTOR = Actor("demo@exemple.fr", "admin")
RECORDS = [
    {"reference": ref, "titre": titre, "commune_code": code, "annee": 2023, "fictif": True}
    for ref, titre, code in (("D1", "Jardin", "22001"), ("D2", "Café", "22002"))
]


def _load(url: str, results: dict, name: str) -> None:
    store = open_store(url)
    try:
        if store.is_empty():  # as ensure_demo: both see an empty store before either writes
            results[name] = store.import_batch(RECORDS, actor=ACTOR, source="demo", if_empty=True)
        else:
            results[name] = None
    finally:
        store.close()


def test_two_processes_loading_the_demo_at_once_load_it_once(store_url, monkeypatch) -> None:
    open_store(store_url).close()  # schema ready before both start
    checked = threading.Barrier(2, timeout=30)
    original_is_empty = type(open_store(store_url)).is_empty
    calls = {"premier": 0, "second": 0}

    def is_empty(self):
        name = threading.current_thread().name
        calls[name] += 1
        empty = original_is_empty(self)
        if calls[name] == 1:
            checked.wait()  # both threads checked the store before either imports
        return empty

    original_insert = initiatives.insert

    def slow_insert(*args, **kwargs):
        ids = original_insert(*args, **kwargs)
        time.sleep(0.5)  # the other one reaches the import lock meanwhile
        return ids

    monkeypatch.setattr(type(open_store(store_url)), "is_empty", is_empty)
    monkeypatch.setattr(initiatives, "insert", slow_insert)
    results: dict = {}
    threads = [
        threading.Thread(target=_load, args=(store_url, results, name), name=name)
        for name in ("premier", "second")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    loaded = sorted(result.nouvelles for result in results.values())
    assert loaded == [0, 2]
    store = open_store(store_url)
    try:
        assert len(store.imports()) == 1 and store.count() == 2
    finally:
        store.close()
