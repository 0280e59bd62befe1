"""The analysts' workspace: configuration from the environment, build and reuse, pseudonymised views only,
and the invariance of rankings under protected attributes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from matching.evaluation.workspace import Workspace, WorkspaceConfig
from matching.paths import DEMO_ESCO_DIR

TODAY = dt.date(2026, 11, 25)
RAW_ID = re.compile(r"\b(js|vac)-\d+")


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> WorkspaceConfig:
    return WorkspaceConfig(
        data_dir=tmp_path_factory.mktemp("workspace"),
        jobseekers=60,
        vacancies=8,
        seed=5,
        today=TODAY,
        embedding_model="hashing-64",
        feedback_per_vacancy=3,
    )


@pytest.fixture(scope="module")
def workspace(config: WorkspaceConfig) -> Iterator[Workspace]:
    built = Workspace.open(config)
    yield built
    built.close()


def test_configuration_comes_from_the_environment(tmp_path: Path) -> None:
    env = {
        "SKILLBRIDGE_ESCO_PATH": "/data/esco-1.2",
        "SKILLBRIDGE_EMBEDDING_MODEL": "hashing-32",
        "SKILLBRIDGE_NOTEBOOK_JOBSEEKERS": "120",
        "SKILLBRIDGE_NOTEBOOK_VACANCIES": "15",
        "SKILLBRIDGE_NOTEBOOK_SEED": "3",
        "SKILLBRIDGE_NOTEBOOK_DATA_DIR": str(tmp_path),
        "SKILLBRIDGE_NOTEBOOK_TODAY": "2026-01-31",
    }
    config = WorkspaceConfig.from_env(env, vacancies=99, feedback_per_vacancy=2)
    assert config == WorkspaceConfig(
        esco_path=Path("/data/esco-1.2"),
        data_dir=tmp_path,
        jobseekers=120,
        vacancies=15,
        seed=3,
        today=dt.date(2026, 1, 31),
        embedding_model="hashing-32",
        feedback_per_vacancy=2,
    )
    defaults = WorkspaceConfig.from_env({})
    assert (defaults.esco_path, defaults.jobseekers, defaults.vacancies) == (DEMO_ESCO_DIR, 3000, 300)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SKILLBRIDGE_NOTEBOOK_JOBSEEKERS": "many"}, "SKILLBRIDGE_NOTEBOOK_JOBSEEKERS must be an integer, e.g. 300. Got 'many' instead."),
        ({"SKILLBRIDGE_NOTEBOOK_VACANCIES": "0"}, "The 'vacancies' setting must be an int >= 1. Got 0 instead."),
        ({"SKILLBRIDGE_NOTEBOOK_TODAY": "25.11.2026"}, "SKILLBRIDGE_NOTEBOOK_TODAY must be a date like 2026-11-25. Got '25.11.2026' instead."),
        ({"SKILLBRIDGE_NOTEBOOK_DATA_DIR": " "}, "SKILLBRIDGE_NOTEBOOK_DATA_DIR must name a folder. Got an empty value instead."),
    ],
)  # fmt: skip
def test_bad_configuration_is_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        WorkspaceConfig.from_env(env)


def test_views_are_pseudonymised(workspace: Workspace) -> None:
    described = workspace.describe()
    assert (described["jobseekers"], described["planted_jobseekers"], described["vacancies"]) == (92, 32, 8)
    seekers = workspace.jobseekers()
    assert len(seekers) == 92 and seekers["id"].str.startswith("p-").all()
    assert {"nationality", "gender", "age_band"} <= set(seekers.columns)
    feedback = workspace.feedback()
    assert 0 < len(feedback) <= 8 * 3 and "note" not in feedback
    assert set(feedback["jobseeker_id"]) <= set(seekers["id"])
    rankings = workspace.rankings(5)
    truth = workspace.ground_truth()
    assert set(rankings["jobseeker"]) <= set(seekers["id"]) and set(truth["jobseeker"]) <= set(seekers["id"])
    assert set(truth["grade"]) <= {1, 2, 3}
    pools = workspace.candidate_pools(10)
    assert {"grade", "feedback_grade"} <= set(pools.columns) and (pools["eligibility"] != "blocked").all()
    report = workspace.quality(5)
    frames: list[pd.DataFrame] = [seekers, workspace.vacancies(), feedback, rankings, truth, pools,
                                  *report.per_query.values(), workspace.blocked_matches(5, max_jobseekers=10)]  # fmt: skip
    for frame in frames:
        assert not RAW_ID.search(frame.to_csv()), frame.columns
    assert set(workspace.relevant()) == set(truth["vacancy"])


def test_quality_against_truth_and_feedback(workspace: Workspace) -> None:
    truth = workspace.quality(5).overall()
    assert list(truth.index) == ["candidates", "vacancies"]
    assert truth.loc["candidates", "with_relevant"] == 8  # every vacancy has planted suitable candidates
    feedback = workspace.quality(5, labels="feedback", sides=("candidates",))
    assert feedback.labels == "feedback"
    with pytest.raises(
        ValueError,
        match=re.escape("The 'labels' parameter must be 'ground truth' or 'feedback'. Got 'guess'"),
    ):
        workspace.quality(5, labels="guess")


def test_a_workspace_is_reopened_not_rebuilt(config: WorkspaceConfig, workspace: Workspace) -> None:
    before = workspace.feedback()
    again = Workspace.open(config)
    try:
        assert again.reused and not workspace.reused
        pd.testing.assert_frame_equal(again.feedback(), before)  # the simulation did not run twice
        pd.testing.assert_frame_equal(again.rankings(5), workspace.rankings(5))
    finally:
        again.close()


def test_protected_attributes_change_no_ranking(workspace: Workspace) -> None:
    result = workspace.protected_invariance(5)
    assert result["jobseekers_changed"] > 50
    assert result["identical"] == result["rankings"] == 8
    assert result["largest_score_difference"] == 0.0
    assert not (Path(workspace.config.data_dir) / "invariance.db").exists()
