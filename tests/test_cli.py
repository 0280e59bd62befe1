"""The ``skillbridge`` command, invoked in-process through Typer's CliRunner."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matching.cli import app
from matching.errors import TaxonomyError
from matching.store.storage import Storage

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


# -- API keys --------------------------------------------------------------------------------------------


def test_demo_prints_a_key_per_role_and_curl_lines_that_send_them(
    mini_esco_dir: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "demo"
    result = _demo(mini_esco_dir, data_dir)
    assert result.exit_code == 0, result.output
    keys = dict(
        re.findall(r"^  (advisor|jobseeker|employer|analyst|admin) +(sbk_[\w-]+)", result.stdout, re.M)
    )
    assert sorted(keys) == ["admin", "advisor", "analyst", "employer", "jobseeker"]
    curls = [line for line in result.stdout.splitlines() if "curl" in line and "/api/v1/" in line]
    assert len(curls) >= 6
    assert all(re.search(r"-H 'Authorization: Bearer sbk_[\w-]+'", line) for line in curls)
    storage = Storage(f"sqlite:///{(data_dir / 'demo.db').as_posix()}")
    try:
        actors = {role: storage.keys.authenticate(key) for role, key in keys.items()}
        assert all(
            a is not None and a.organisation == "leipzig" and a.role == role for role, a in actors.items()
        )
        seeker_id = re.search(r"\(job seeker ([^)]+)\)", result.stdout).group(1)
        assert actors["jobseeker"].subject_id == seeker_id  # type: ignore[union-attr]
        vacancy = storage.vacancies.list(0, 1)[0]
        assert actors["employer"].subject_id == vacancy.employer_id  # type: ignore[union-attr]
        assert storage.vacancies.get_record(vacancy.id).organisation == "leipzig"
        assert all(k not in str([r.model_dump() for r in storage.keys.all()]) for k in keys.values())
    finally:
        storage.dispose()


def test_keys_create_list_and_revoke() -> None:
    created = runner.invoke(
        app, ["keys", "create", "--role", "jobseeker", "--organisation", "leipzig", "--subject", "js-7"]
    )
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    assert key.startswith("sbk_") and len(key) == 47
    assert "Store the key now: it is shown only once." in re.sub(r"\s+", " ", created.stderr)
    key_id = re.search(r"Created (key-[0-9a-f]{12})", created.stderr).group(1)

    listed = runner.invoke(app, ["keys", "list"])
    assert f"| {key_id} | jobseeker | leipzig | js-7 |" in listed.stdout
    assert key not in listed.output

    revoked = runner.invoke(app, ["keys", "revoke", key_id])
    assert revoked.exit_code == 0 and f"Revoked {key_id} (jobseeker, leipzig)." in revoked.output
    storage = Storage("sqlite:///var/skillbridge.db")
    try:
        assert storage.keys.authenticate(key) is None
        assert [e.action for e in storage.audit.query(entity_id=key_id)[0]] == ["revoke", "create"]
    finally:
        storage.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--role", "boss", "--organisation", "leipzig"],
            "must be one of advisor, jobseeker, employer, analyst, admin; got 'boss'",
        ),
        (
            ["--role", "employer", "--organisation", "leipzig"],
            "a employer key needs the employer id it speaks for",
        ),
        (["--role", "advisor", "--organisation", "Leipzig City"], "must be 1-64 lower-case letters"),
    ],
)
def test_keys_create_names_the_bad_option(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["keys", "create", *args])
    assert result.exit_code == 2
    assert message in re.sub(r"[│╭╮╰╯─\s]+", " ", result.output)


# -- bulk import -----------------------------------------------------------------------------------------


def test_import_template_then_import(mini_esco_dir: Path, tmp_path: Path) -> None:
    import openpyxl

    from tests import mini_esco as m

    template = tmp_path / "jobseekers.xlsx"
    result = runner.invoke(app, ["import-template", str(template)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(template)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["id", "qualifications", "experience"]
    row = {
        "id": "js-1",
        "qualifications": f"{m.NURSE}|UA|full_equivalence",
        "languages": "de:B2",
        "home_place": "Leipzig",
    }
    bad = dict(row, id="js-2", languages="de:Z9")
    for values in (row, bad):
        sheet.append([values.get(name) for name in header])
    book.save(template)

    report = tmp_path / "errors.csv"
    rejected = runner.invoke(
        app, ["import", str(template), "--esco", str(mini_esco_dir), "--report", str(report)]
    )
    assert rejected.exit_code == 1
    flat = re.sub(r"\s+", " ", rejected.output)
    assert "row 3, languages: item 1 level: Input should be 'A1', 'A2', 'B1', 'B2', 'C1' or 'C2'" in flat
    assert "1 of 2 rows have errors; nothing was imported." in flat
    assert report.read_text().splitlines()[1].startswith("3,languages,")

    imported = runner.invoke(app, ["import", str(template), "--esco", str(mini_esco_dir), "--skip-invalid",
                                   "--organisation", "leipzig"])  # fmt: skip
    assert imported.exit_code == 0, imported.output
    assert "Imported 1 of 2 rows; skipped 1 invalid rows." in imported.output
    storage = Storage("sqlite:///var/skillbridge.db")
    try:
        assert storage.jobseekers.get_record("js-1").organisation == "leipzig"
        assert [(e.role, e.action, e.key_id) for e in storage.audit.query(entity_id="js-1")[0]] == [
            ("admin", "create", None)
        ]
    finally:
        storage.dispose()
    assert runner.invoke(app, ["import-template", str(tmp_path / "people.xlsx")]).exit_code == 2
