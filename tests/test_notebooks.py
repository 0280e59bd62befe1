"""The analyst notebooks run top to bottom (with nbclient, in a real kernel) on a small data set, as in CI.

They read their data set from the environment; here: the demo taxonomy, the fast test embedder and a few dozen
job seekers, in one workspace that the first notebook builds and the others reopen. A notebook's own asserts
(e.g. that protected attributes change no ranking) fail the test like any error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SMALL = {
    "SKILLBRIDGE_EMBEDDING_MODEL": "hashing-64",
    "SKILLBRIDGE_NOTEBOOK_JOBSEEKERS": "120",
    "SKILLBRIDGE_NOTEBOOK_VACANCIES": "16",
    "SKILLBRIDGE_NOTEBOOK_SEED": "7",
    "SKILLBRIDGE_NOTEBOOK_TODAY": "2026-11-25",
    "SKILLBRIDGE_NOTEBOOK_SAMPLE": "30",
    "SKILLBRIDGE_NOTEBOOK_POOL": "20",
    "SKILLBRIDGE_NOTEBOOK_FOLDS": "3",
}
RAW_ID = re.compile(r"\b(js|vac)-\d{5,6}\b")  # the synthetic ids; notebooks show only pseudonyms


def test_there_are_four_notebooks_with_a_parameter_cell() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01_match_quality.ipynb",
        "02_recognition_bottlenecks.ipynb",
        "03_fairness_audit.ipynb",
        "04_learned_ranking.ipynb",
    ]
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        source = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
        assert "WorkspaceConfig.from_env()" in source, path.name
        committed_errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
                            if o.output_type == "error"]  # fmt: skip
        assert committed_errors == [], path.name


@pytest.fixture(scope="module")
def workspace_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("notebook-workspace")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_notebook_runs_top_to_bottom(
    path: Path, workspace_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SMALL.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SKILLBRIDGE_NOTEBOOK_DATA_DIR", str(workspace_dir))
    monkeypatch.delenv("SKILLBRIDGE_ESCO_PATH", raising=False)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()  # raises CellExecutionError naming the cell on any error
    outputs = json.dumps([c.get("outputs", []) for c in notebook.cells])
    assert "Reading" in "".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "text/markdown" in outputs  # the closing reading was rendered from the results
    assert "image/png" in outputs  # plots
    assert not RAW_ID.search(outputs), RAW_ID.search(outputs)
