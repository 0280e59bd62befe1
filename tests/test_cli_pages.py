"""``skillbridge demo`` names the pages next to the API examples, with the key each one needs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from matching.bootstrap import build_matcher
from matching.cli import app
from matching.config import Settings


def test_demo_prints_the_page_urls_and_their_keys_work(
    mini_esco_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ESCO_PATH", "DATA_DIR", "DATABASE_URL", "LANGUAGE"):
        monkeypatch.delenv(f"SKILLBRIDGE_{name}", raising=False)
    monkeypatch.setenv("SKILLBRIDGE_EMBEDDING_MODEL", "hashing-32")
    monkeypatch.chdir(tmp_path)  # no stray .env
    data_dir = tmp_path / "demo"
    result = CliRunner().invoke(
        app,
        ["demo", "--no-serve", "--esco", str(mini_esco_dir), "--data-dir", str(data_dir),
         "--jobseekers", "20", "--vacancies", "4", "--port", "8124"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "  sign in          http://127.0.0.1:8124/app/login\n" in out
    assert "  advisor console  http://127.0.0.1:8124/app/advisor?lang=de   (advisor key)\n" in out
    page = re.search(
        r"job-seeker page  http://127\.0\.0\.1:8124/app/jobseeker\?lang=uk   \(jobseeker key: job seeker (\S+)\)",
        out,
    )
    assert page, out
    jobseeker_key = re.search(r"^  jobseeker  (sbk_\S+)", out, re.M)
    advisor_key = re.search(r"^  advisor    (sbk_\S+)", out, re.M)
    assert jobseeker_key and advisor_key, out

    # The printed keys open the printed pages: /me (what the sign-in page asks) names the right person.
    settings = Settings(
        esco_path=mini_esco_dir,
        data_dir=data_dir,
        database_url=f"sqlite:///{(data_dir / 'demo.db').as_posix()}",
    )
    matcher = build_matcher(settings)
    try:
        with TestClient(create_app(matcher=matcher)) as client:
            assert client.get("/app/login").status_code == 200
            me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {jobseeker_key[1]}"}).json()
            assert (me["role"], me["subject_id"]) == ("jobseeker", page[1])
            advisor = client.get("/api/v1/me", headers={"Authorization": f"Bearer {advisor_key[1]}"}).json()
            assert advisor["role"] == "advisor"
    finally:
        matcher.close()
