"""Schema-based fuzzing: schemathesis generates requests for every operation in the OpenAPI spec (valid and
invalid ones) and sends them in-process with an admin key; no request may end in a server error (5xx)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from api.app import create_app
from matching.embedding.cache import CachedEmbedder
from matching.embedding.hashing import HashingEmbedder
from matching.ranking.eligibility import EligibilityRules
from matching.ranking.regulation import RegulationTable
from matching.service import Matcher
from matching.store.storage import Storage
from matching.taxonomy import Taxonomy
from tests import factories
from tests import mini_esco as m
from tests.conftest import TODAY, auth, key_for

# Examples per operation and mode; SKILLBRIDGE_FUZZ_EXAMPLES raises it for a longer run.
EXAMPLES = int(os.environ.get("SKILLBRIDGE_FUZZ_EXAMPLES", "10"))


@pytest.fixture
def fuzz_target(taxonomy: Taxonomy, gazetteer, tmp_path: Path) -> Iterator[tuple[object, dict[str, str]]]:
    storage = Storage(f"sqlite:///{tmp_path / 'fuzz.db'}")
    rules = EligibilityRules(taxonomy, RegulationTable([]), gazetteer)
    embedder = CachedEmbedder(HashingEmbedder(32))
    matcher = Matcher(taxonomy, embedder, storage, tmp_path / "indexes", rules=rules, today=TODAY)
    matcher.open()
    matcher.bulk_load(
        [
            factories.seeker(f"js-{i}", occupation)
            for i, occupation in enumerate([m.NURSE, m.FORKLIFT, m.ELECTRICIAN])
        ],
        [factories.vacancy("vac-1"), factories.vacancy("vac-2", m.FORKLIFT)],
    )
    yield create_app(matcher=matcher), auth(key_for(matcher, "admin"))
    storage.dispose()


def _fuzz(
    operation: Any, mode: GenerationMode, headers: dict[str, str], sent: dict[str, int], failures: list[str]
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,  # the same requests on every run: a failure is reproducible
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call(headers={**(case.headers or {}), **headers})
        sent[operation.label] = sent.get(operation.label, 0) + 1
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except Exception as exc:  # collect them all, then fail once with the list
            failures.append(f"{operation.label}: {response.status_code} {str(exc)[:300]}")

    run()


def test_no_request_ends_in_a_server_error(
    fuzz_target: tuple[object, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    app, headers = fuzz_target
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    sent: dict[str, int] = {}
    failures: list[str] = []
    no_negative: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, headers, sent, failures)
            except Unsatisfiable:  # nothing about this operation can be made invalid (e.g. no parameters)
                assert mode == GenerationMode.NEGATIVE, operation.label
                no_negative.append(operation.label)

    total = sum(sent.values())
    with capsys.disabled():  # the count shows in every run's output, CI included
        print(
            f"\nschemathesis: {total} requests over {len(sent)} operations (no invalid variant for {no_negative})"
        )
    assert failures == []
    assert len(sent) == len(operations)
    assert total >= len(operations) * EXAMPLES  # both modes ran for every operation
