"""The regulation table's reach: states per ISCO major group and the worklist of not-checked occupations."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matching.cli import app
from matching.paths import DATA_DIR
from matching.ranking.coverage import regulation_coverage
from matching.ranking.regulation import RegulationState, RegulationTable
from matching.store.storage import Storage
from matching.taxonomy import Taxonomy
from matching.taxonomy.esco import load_esco
from tests import mini_esco

FULL_ESCO = Path(__file__).resolve().parents[2] / "shared" / "data" / "esco"
runner = CliRunner()


def _table(tmp_path: Path, keep: set[str]) -> Path:
    """The shipped table reduced to the rows named in ``keep``."""
    with open(DATA_DIR / "regulated_professions.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for row in reader if row["id"] in keep]
        fields = reader.fieldnames or []
    path = tmp_path / "table.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_states_are_counted_per_major_group_and_unchecked_use_is_listed(
    taxonomy: Taxonomy, tmp_path: Path
) -> None:
    table = RegulationTable.load(_table(tmp_path, {"nurse", "open_personal_care"}))
    in_use = {mini_esco.FORKLIFT: (3, 1), mini_esco.NURSE: (9, 9), mini_esco.ELECTRICIAN: (0, 7)}
    coverage = regulation_coverage(taxonomy, table, in_use)
    expected: dict[str, Counter] = {}
    for uri, concept in taxonomy.occupations.items():
        expected.setdefault(concept.isco_code[:1], Counter())[table.state_for(uri, concept.isco_code)] += 1
    assert {g: dict(c) for g, c in coverage.by_group.items()} == {g: dict(c) for g, c in expected.items()}
    assert coverage.count(RegulationState.REGULATED) >= 1  # the nurse row
    # The worklist: only not-checked occupations in use, most frequent first; the regulated nurse is not on it.
    assert [u.uri for u in coverage.worklist] == [mini_esco.ELECTRICIAN, mini_esco.FORKLIFT]
    assert coverage.checked_share == pytest.approx(
        1 - coverage.count(RegulationState.NOT_CHECKED) / len(taxonomy.occupations)
    )


def test_the_command_reports_the_stored_profiles_not_checked_occupations(
    mini_esco_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKILLBRIDGE_EMBEDDING_MODEL", "hashing-32")
    data_dir = tmp_path / "data"
    demo = ["demo", "--no-serve", "--esco", str(mini_esco_dir), "--jobseekers", "30", "--vacancies", "6",
            "--data-dir", str(data_dir)]  # fmt: skip
    assert runner.invoke(app, demo).exit_code == 0
    database = data_dir / "demo.db"
    monkeypatch.setenv("SKILLBRIDGE_DATABASE_URL", f"sqlite:///{database.as_posix()}")
    table = _table(tmp_path, {"nurse"})
    result = runner.invoke(app, ["regulation-coverage", "--esco", str(mini_esco_dir), "--table", str(table)])
    assert result.exit_code == 0, result.output
    storage = Storage(f"sqlite:///{database.as_posix()}")
    try:
        vacancies = Counter(v.occupation_uri for v in storage.vacancies.iter_all())
    finally:
        storage.dispose()
    listed = re.findall(r"\| (\d+) \| (\d+) \| (\S+) \|$", result.output, re.M)
    assert listed, result.output
    rules, occupations = RegulationTable.load(table), load_esco(mini_esco_dir).occupations
    unchecked = {
        u for u, c in occupations.items() if rules.state_for(u, c.isco_code) == RegulationState.NOT_CHECKED
    }
    assert mini_esco.NURSE not in unchecked | {uri for _, _, uri in listed}
    assert {uri: int(v) for _, v, uri in listed if int(v)} == {
        u: n for u, n in vacancies.items() if u in unchecked
    }
    totals = [int(s) + int(v) for s, v, _ in listed]
    assert totals == sorted(totals, reverse=True)


@pytest.mark.skipif(not FULL_ESCO.is_dir(), reason="needs the full ESCO download in ../shared/data/esco")
def test_the_shipped_table_checks_at_least_95_percent_of_esco() -> None:
    coverage = regulation_coverage(load_esco(FULL_ESCO), RegulationTable.load())
    assert coverage.total > 3000
    assert coverage.checked_share >= 0.95
