"""The English model loads when it is first needed (or in the background): the process goes on meanwhile,
the first use waits, and a failed load is raised where a command can report it."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from matching.bootstrap import build_matcher
from matching.config import Settings
from matching.embedding.deferred import DeferredEmbedder
from matching.embedding.hashing import HashingEmbedder


def test_the_embedder_loads_in_another_thread_and_its_first_use_waits_for_it() -> None:
    release, built_in = threading.Event(), []

    def build() -> HashingEmbedder:
        built_in.append(threading.current_thread().name)
        release.wait(5)
        return HashingEmbedder(16)

    deferred = DeferredEmbedder(build, "hashing-16")
    assert not deferred.loaded  # construction did not wait for the build
    threading.Timer(0.05, release.set).start()
    vectors = deferred.embed(["Pflegefachkraft", "nurse"])  # waits for the load
    assert deferred.loaded and built_in == ["load hashing-16"]
    np.testing.assert_array_equal(vectors, HashingEmbedder(16).embed(["Pflegefachkraft", "nurse"]))
    assert (deferred.model_id, deferred.dim) == (HashingEmbedder(16).model_id, 16)


def test_without_a_background_thread_the_first_use_builds_it_once_for_every_thread() -> None:
    built_in: list[str] = []

    def build() -> HashingEmbedder:
        built_in.append(threading.current_thread().name)
        return HashingEmbedder(8)

    deferred = DeferredEmbedder(build, "hashing-8", background=False)
    assert not deferred.loaded and built_in == []  # nothing built until something needs it
    users = [threading.Thread(target=lambda: deferred.embed(["x"]), name=f"user {i}") for i in range(4)]
    for user in users:
        user.start()
    for user in users:
        user.join()
    assert deferred.loaded and len(built_in) == 1 and built_in[0].startswith("user ")


def test_a_failed_load_is_raised_by_wait_and_by_every_use() -> None:
    def build() -> HashingEmbedder:
        raise RuntimeError("model folder /models/en not found")

    deferred = DeferredEmbedder(build, "/models/en")
    for use in (deferred.wait, lambda: deferred.embed(["x"]), lambda: deferred.dim):
        with pytest.raises(RuntimeError, match="/models/en not found"):
            use()


def test_the_service_builds_before_the_english_model_loads_and_reports_its_failure(
    mini_esco_dir: Path, tmp_path: Path
) -> None:
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
        assert isinstance(matcher.linking.english_embedder, DeferredEmbedder)
        with pytest.raises(ValueError, match="not-a-number"):
            matcher.linking.wait_for_models()  # what `serve` and the app's start call before serving
    finally:
        matcher.close()


def test_a_warm_up_that_cannot_load_the_model_says_so_and_does_not_report_ready(
    mini_esco_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        esco_path=mini_esco_dir,
        vocabulary=[],
        data_dir=tmp_path,
        database_url=f"sqlite:///{(tmp_path / 'db.sqlite').as_posix()}",
        embedding_model="hashing-32",
        english_embedding_model="hashing-not-a-number",
    )  # type: ignore[call-arg]
    matcher = build_matcher(settings)
    ready: list[float] = []
    try:
        matcher.linking.warm_in_background(ready.append).join(30)
        assert ready == []
        assert "Free-text linking could not be built" in caplog.text and "not-a-number" in caplog.text
    finally:
        matcher.close()
