"""The pages' groups of reason codes come from the one definition in matching/ranking/reasons.py."""

from __future__ import annotations

import re

import pytest

from api.web.reason_codes import COMMON_JS, render
from matching.ranking.reasons import REASONS, Topic, codes, javascript_constants
from models import Severity


def js_constant(script: str, name: str) -> list[str]:
    found = re.search(rf"export const {name} = \[(.*?)\];", script)
    assert found, f"{name} not in the generated block"
    return re.findall(r'"([a-z_]+)"', found[1])


def test_the_generated_block_in_common_js_is_up_to_date() -> None:
    script = COMMON_JS.read_text(encoding="utf-8")
    assert render(script) == script, "run: python -m api.web.reason_codes"


def test_a_stale_block_is_regenerated_and_a_missing_one_is_an_error() -> None:
    script = COMMON_JS.read_text(encoding="utf-8")
    stale = script.replace('"recognition_pending", ', "", 1)
    assert stale != script and render(stale) == script
    with pytest.raises(ValueError, match="has no '// BEGIN reason codes'"):
        render("const x = 1;\n")


def test_groups_follow_each_codes_topic_and_flags() -> None:
    generated = javascript_constants()
    recognition = js_constant(generated, "RECOGNITION_CODES")
    assert recognition == [c for c, r in REASONS.items() if r.topic == Topic.RECOGNITION]
    assert {"recognition_pending", "title_protected", "bridge_job"} <= set(recognition)
    lifted = set(js_constant(generated, "LIFTED_BY_RECOGNITION"))
    assert (
        "recognition_partial" in lifted and "reserved_no_qualification" not in lifted
    )  # nothing to recognise
    work = js_constant(generated, "WORK_AUTHORISATION_CODES")
    assert work and all(c.startswith("work_") for c in work)


def test_blocking_causes_are_read_from_severity_and_topic() -> None:
    assert codes(Topic.LANGUAGE) == {"german_gap"}
    blocking = codes(Topic.WORK_AUTHORISATION, Severity.BLOCKING)
    assert "work_not_permitted" in blocking and "work_needs_approval" not in blocking  # a warning
