"""The English model loads when it is first needed: the process goes on meanwhile, the first use waits, and a
failed load is raised where a command can report it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from matching.bootstrap import build_matcher
from matching.config import Settings
from matching.embedding.deferred import DeferredEmbedder
from matching.embedding.hashing import HashingEmbedder
from matching.service import Matcher


def test_nothing_is_built_until_the_first_use_which_gets_the_embedders_answers() -> None:
    built: list[int] = []
    deferred = DeferredEmbedder(lambda: built.append(1) or HashingEmbedder(16), "hashing-16")
    assert not deferred.loaded and built == []  # construction did not build
    vectors = deferred.embed(["Pflegefachkraft", "nurse"])
    assert deferred.loaded and built == [1]
    np.testing.assert_array_equal(vectors, HashingEmbedder(16).embed(["Pflegefachkraft", "nurse"]))
    assert (deferred.model_id, deferred.dim) == (HashingEmbedder(16).model_id, 16)


def test_threads_that_need_it_at_once_build_it_once_and_all_wait_for_it() -> None:
    built_in: list[str] = []
    release = threading.Event()

    def build() -> HashingEmbedder:
        built_in.append(threading.current_thread().name)
        release.wait(5)  # the others arrive while this build is under way
        return HashingEmbedder(8)

    deferred = DeferredEmbedder(build, "hashing-8")
    results: list[np.ndarray] = []
    users = [
        threading.Thread(target=lambda: results.append(deferred.embed(["x"])), name=f"user {i}")
        for i in range(4)
    ]
    for user in users:
        user.start()
    threading.Timer(0.05, release.set).start()
    for user in users:
        user.join()
    assert deferred.loaded and len(built_in) == 1 and built_in[0].startswith("user ")
    assert len(results) == 4


def test_a_failed_load_is_raised_by_wait_and_by_every_use() -> None:
    def build() -> HashingEmbedder:
        raise RuntimeError("model folder /models/en not found")

    deferred = DeferredEmbedder(build, "/models/en")
    for use in (deferred.wait, lambda: deferred.embed(["x"]), lambda: deferred.dim):
        with pytest.raises(RuntimeError, match="/models/en not found"):
            use()


@pytest.fixture
def broken_english(mini_esco_dir: Path, tmp_path: Path) -> Iterator[Matcher]:
    """The service as built with an English model setting that cannot be loaded."""
    settings = Settings(
        esco_path=mini_esco_dir,
        vocabulary=[],
        data_dir=tmp_path,
        database_url=f"sqlite:///{(tmp_path / 'db.sqlite').as_posix()}",
        embedding_model="hashing-32",
        english_embedding_model="hashing-not-a-number",
    )  # type: ignore[call-arg]
    matcher = build_matcher(settings)  # does not raise: the English model loads on first use
    try:
        yield matcher
    finally:
        matcher.close()


def test_the_service_builds_before_the_english_model_loads_and_reports_its_failure(
    broken_english: Matcher,
) -> None:
    assert isinstance(broken_english.linking.english_embedder, DeferredEmbedder)
    with pytest.raises(ValueError, match="not-a-number"):
        broken_english.linking.wait_for_models()  # what `serve` and the app's start call before serving


def test_a_warm_up_that_cannot_load_the_model_says_so_and_does_not_report_ready(
    broken_english: Matcher, caplog: pytest.LogCaptureFixture
) -> None:
    ready: list[float] = []
    broken_english.linking.warm_in_background(ready.append).join(30)
    assert ready == []
    assert "Free-text linking could not be built" in caplog.text and "not-a-number" in caplog.text
