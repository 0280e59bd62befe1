"""The ``skillbridge`` command, invoked in-process through Typer's CliRunner."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matching.cli import app
from matching.errors import TaxonomyError
from matching.storage import Storage

runner = CliRunner()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No SKILLBRIDGE_* variable or .env file from the developer's machine may leak into these runs."""
    for name in ("ESCO_PATH", "DATA_DIR", "DATABASE_URL", "EMBEDDING_MODEL", "LANGUAGE"):
        monkeypatch.delenv(f"SKILLBRIDGE_{name}", raising=False)
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("SKILLBRIDGE_EMBEDDING_MODEL", "hashing-32")


def _demo(esco: Path, data_dir: Path, *extra: str) -> object:
    return runner.invoke(
        app,
        ["demo", "--no-serve", "--esco", str(esco), "--jobseekers", "40", "--vacancies", "8",
         "--data-dir", str(data_dir), *extra],
    )  # fmt: skip


def _counts_and_first(db: Path) -> tuple[int, int, dict, dict]:
    storage = Storage(f"sqlite:///{db.as_posix()}")
    try:
        seekers, vacancies = storage.jobseekers, storage.vacancies
        return (
            seekers.count(),
            vacancies.count(),
            seekers.list(0, 1)[0].model_dump(mode="json"),
            vacancies.list(0, 1)[0].model_dump(mode="json"),
        )
    finally:
        storage.dispose()


# -- taxonomy ------------------------------------------------------------------------------------


def test_taxonomy_prints_counts_as_json(mini_esco_dir: Path) -> None:
    result = runner.invoke(app, ["taxonomy", "--esco", str(mini_esco_dir)])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["occupations"] == 6
    assert stats["skills"] == 11
    assert stats["languages"] == ["en", "de", "uk"]
    assert stats["essential_relations"] == 17
    assert stats["optional_relations"] == 6
    assert stats["source"].endswith(mini_esco_dir.name)


def test_taxonomy_reads_esco_path_from_environment(
    mini_esco_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKILLBRIDGE_ESCO_PATH", str(mini_esco_dir))
    result = runner.invoke(app, ["taxonomy"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["occupations"] == 6


def test_taxonomy_on_missing_folder_says_what_to_set(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent"
    result = runner.invoke(app, ["taxonomy", "--esco", str(missing)])
    assert result.exit_code != 0
    # CliRunner calls ``app``, not ``main``: the domain error surfaces as the result's exception.
    assert isinstance(result.exception, TaxonomyError)
    message = str(result.exception)
    assert f"ESCO folder {str(missing)!r} does not exist" in message
    assert "Set SKILLBRIDGE_ESCO_PATH" in message


def test_taxonomy_on_folder_without_esco_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["taxonomy", "--esco", str(empty)])
    assert isinstance(result.exception, TaxonomyError)
    assert "has no occupations_<lang>.csv or skills_<lang>.csv" in str(result.exception)


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code != 0  # no_args_is_help exits with usage status
    for command in ("demo", "serve", "taxonomy", "rebuild-index"):
        assert command in result.output


# -- demo ----------------------------------------------------------------------------------------


def test_demo_builds_database_and_indexes(mini_esco_dir: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    result = _demo(mini_esco_dir, data_dir, "--port", "8123")
    assert result.exit_code == 0, result.output
    assert "curl -s 'http://127.0.0.1:8123/health'" in result.stdout
    assert "/api/v1/vacancies/" in result.stdout and "/candidates?k=5" in result.stdout
    assert "/vacancies?k=5&offset=5" in result.stdout
    assert "API docs: http://127.0.0.1:8123/docs" in result.stdout
    assert "40 job seekers and 8 vacancies indexed" in result.output

    seekers, vacancies, first_seeker, first_vacancy = _counts_and_first(data_dir / "demo.db")
    assert (seekers, vacancies) == (40, 8)
    for name in ("jobseekers.npz", "vacancies.npz"):
        assert (data_dir / "indexes" / name).is_file()
    assert first_vacancy["occupation_uri"].startswith("http://data.europa.eu/esco/occupation/")
    assert first_seeker["home"]["postcode"].startswith("04")  # Leipzig postcodes

    # The printed examples name entities that really are in the database.
    vacancy_id = re.search(r"/api/v1/vacancies/([^/]+)/candidates", result.stdout).group(1)
    seeker_id = re.search(r"/api/v1/jobseekers/([^/?']+)/vacancies", result.stdout).group(1)
    storage = Storage(f"sqlite:///{(data_dir / 'demo.db').as_posix()}")
    try:
        assert storage.vacancies.get(vacancy_id).id == vacancy_id
        assert storage.jobseekers.get(seeker_id).id == seeker_id
    finally:
        storage.dispose()


def test_demo_is_reproducible_and_starts_fresh(mini_esco_dir: Path, tmp_path: Path) -> None:
    first_dir, second_dir = tmp_path / "one", tmp_path / "two"
    assert _demo(mini_esco_dir, first_dir).exit_code == 0
    assert _demo(mini_esco_dir, second_dir).exit_code == 0
    one, two = _counts_and_first(first_dir / "demo.db"), _counts_and_first(second_dir / "demo.db")
    assert one == two

    # A second run in the same folder replaces the data set instead of failing on duplicate ids.
    again = _demo(mini_esco_dir, first_dir)
    assert again.exit_code == 0, again.output
    assert _counts_and_first(first_dir / "demo.db") == one


def test_demo_seed_changes_the_data(mini_esco_dir: Path, tmp_path: Path) -> None:
    assert _demo(mini_esco_dir, tmp_path / "a").exit_code == 0
    assert _demo(mini_esco_dir, tmp_path / "b", "--seed", "8").exit_code == 0
    a, b = _counts_and_first(tmp_path / "a" / "demo.db"), _counts_and_first(tmp_path / "b" / "demo.db")
    assert a[:2] == b[:2] == (40, 8)
    assert a[2:] != b[2:]


@pytest.mark.parametrize(("option", "value"), [("--jobseekers", "0"), ("--vacancies", "0")])
def test_demo_rejects_empty_data_sets(mini_esco_dir: Path, tmp_path: Path, option: str, value: str) -> None:
    args = [
        "demo",
        "--no-serve",
        "--esco",
        str(mini_esco_dir),
        "--data-dir",
        str(tmp_path / "d"),
        option,
        value,
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert option in result.output
    assert not (tmp_path / "d" / "demo.db").exists()


# -- rebuild-index -------------------------------------------------------------------------------


def test_rebuild_index_recreates_index_files_from_the_database(
    mini_esco_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "demo"
    assert _demo(mini_esco_dir, data_dir).exit_code == 0
    indexes = [data_dir / "indexes" / "jobseekers.npz", data_dir / "indexes" / "vacancies.npz"]
    for path in indexes:
        path.unlink()

    monkeypatch.setenv("SKILLBRIDGE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SKILLBRIDGE_DATABASE_URL", f"sqlite:///{(data_dir / 'demo.db').as_posix()}")
    result = runner.invoke(app, ["rebuild-index", "--esco", str(mini_esco_dir)])
    assert result.exit_code == 0, result.output
    assert "Indexed 40 job seekers and 8 vacancies." in result.output
    assert all(path.is_file() for path in indexes)
    assert not (data_dir / "skillbridge.db").exists()  # the explicit database URL was used


def test_rebuild_index_on_empty_default_database(
    mini_esco_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKILLBRIDGE_DATA_DIR", str(tmp_path / "var"))
    result = runner.invoke(app, ["rebuild-index", "--esco", str(mini_esco_dir)])
    assert result.exit_code == 0, result.output
    assert "Indexed 0 job seekers and 0 vacancies." in result.output
    assert (tmp_path / "var" / "skillbridge.db").is_file()
    assert (tmp_path / "var" / "indexes" / "jobseekers.npz").is_file()


# -- what-if ---------------------------------------------------------------------------------------


def _write(path: Path, model: object) -> Path:
    path.write_text(model.model_dump_json())  # type: ignore[attr-defined]
    return path


def test_what_if_prints_an_assessment(mini_esco_dir: Path, tmp_path: Path) -> None:
    from tests import mini_esco as m
    from tests.factories import seeker, vacancy

    person = _write(tmp_path / "p.json", seeker("p", m.FORKLIFT, [m.FORKLIFT_DRIVING]))
    job = _write(tmp_path / "v.json", vacancy("v", m.FORKLIFT, min_german_level="A2"))
    result = runner.invoke(
        app, ["what-if", str(person), str(job), "--esco", str(mini_esco_dir), "--lang", "de"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["jobseeker_id"], data["vacancy_id"], data["eligibility"]) == ("p", "v", "eligible")
    assert "Gabelstapler fahren" in [e["label"] for e in data["explanation"]["matched_essential"]]


def test_what_if_names_the_invalid_field(mini_esco_dir: Path, tmp_path: Path) -> None:
    from tests import mini_esco as m
    from tests.factories import vacancy

    bad = tmp_path / "p.json"
    bad.write_text(
        json.dumps({"id": "p", "home": {"place": "Leipzig"}, "languages": [{"language": "de", "level": "X"}]})
    )
    job = _write(tmp_path / "v.json", vacancy("v", m.FORKLIFT))
    result = runner.invoke(app, ["what-if", str(bad), str(job), "--esco", str(mini_esco_dir)])
    assert result.exit_code == 2
    flat = re.sub(r"[│╭╮╰╯─\s]+", " ", result.output)  # undo the error box's wrapping
    assert "languages.0.level: Input should be 'A1', 'A2', 'B1', 'B2', 'C1' or 'C2'" in flat
    assert "not a valid jobseeker" in flat
