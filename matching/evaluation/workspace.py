"""An evaluation workspace for analysts: a labelled synthetic data set loaded into a matcher of its own.

The notebooks in ``notebooks/`` start here. The workspace holds the real (synthetic) profiles, the ground
truth and the matcher, and hands out only pseudonymised tables: ids are the keyed hashes of the analytics
export (:func:`matching.pseudonyms.analytics_pseudonym`), there is no free text, and protected attributes
appear only as nationality, gender and age band — the analytics export of issue 5
(:meth:`Matcher.analytics_export`) is what describes the people.

Configuration comes from the environment so that the same notebook runs on the demo taxonomy, on a full ESCO
download and, small, in CI: ``SKILLBRIDGE_ESCO_PATH`` and ``SKILLBRIDGE_EMBEDDING_MODEL`` as for the
service, plus ``SKILLBRIDGE_NOTEBOOK_JOBSEEKERS``, ``…_VACANCIES``, ``…_SEED``, ``…_DATA_DIR`` and
``…_TODAY`` (ISO date). A workspace built once with the same configuration is reopened, not rebuilt.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from matching.config import Settings
from matching.embedding.factory import DEFAULT_MODEL
from matching.evaluation import bottlenecks, learned
from matching.evaluation.labelled import LabelledSet, generate_labelled_set, simulate_feedback
from matching.evaluation.matching_quality import (
    SIDES,
    QualityReport,
    Side,
    evaluate_against_feedback,
    evaluate_matching,
    rank_for_vacancies,
)
from matching.paths import DEMO_ESCO_DIR, PROJECT_ROOT
from matching.pseudonyms import SECRET_NAME, analytics_pseudonym
from matching.service import Matcher
from matching.service.feedback import analytics_feedback, record_feedback
from models import JobSeeker
from models.feedback import DECISION_GRADES

ORGANISATION = "evaluation"
ENV_PREFIX = "SKILLBRIDGE_NOTEBOOK_"
# Bump when what a workspace stores changes, so that older ones are rebuilt rather than reused.
FORMAT = 1


@dataclass(frozen=True)
class WorkspaceConfig:
    esco_path: Path = DEMO_ESCO_DIR
    data_dir: Path = PROJECT_ROOT / "var" / "notebooks"
    jobseekers: int = 3000
    vacancies: int = 300
    seed: int = 7
    today: dt.date = field(default_factory=dt.date.today)
    embedding_model: str = DEFAULT_MODEL
    language: str = "en"
    feedback_per_vacancy: int = 5

    def __post_init__(self) -> None:
        for name, floor in (("jobseekers", 1), ("vacancies", 1), ("feedback_per_vacancy", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < floor:
                raise ValueError(f"The {name!r} setting must be an int >= {floor}. Got {value!r} instead.")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **defaults: Any) -> WorkspaceConfig:
        """``defaults`` overridden by the environment: ``SKILLBRIDGE_ESCO_PATH``, ``…_EMBEDDING_MODEL`` and
        ``…_LANGUAGE`` as for the service, and the workspace's own ``SKILLBRIDGE_NOTEBOOK_*`` variables."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = dict(defaults)
        readers = {"ESCO_PATH": ("esco_path", Path), "EMBEDDING_MODEL": ("embedding_model", str),
                   "LANGUAGE": ("language", str)}  # fmt: skip
        for suffix, (name, convert) in readers.items():
            if "SKILLBRIDGE_" + suffix in env:
                values[name] = convert(env["SKILLBRIDGE_" + suffix])
        own: dict[str, Callable[[str, str], Any]] = {
            "jobseekers": _int, "vacancies": _int, "seed": _int, "feedback_per_vacancy": _int,
            "data_dir": _path, "today": _date,
        }  # fmt: skip
        for name, read in own.items():
            variable = ENV_PREFIX + name.upper()
            if variable in env:
                values[name] = read(variable, env[variable])
        return cls(**values)

    def manifest(self) -> dict[str, Any]:
        data = asdict(self)
        data["esco_path"] = str(Path(self.esco_path).resolve())
        data["data_dir"] = str(self.data_dir)
        data["today"] = self.today.isoformat()
        data["format"] = FORMAT
        return data


def _int(variable: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{variable} must be an integer, e.g. 300. Got {text!r} instead.") from None


def _path(variable: str, text: str) -> Path:
    if not text.strip():
        raise ValueError(f"{variable} must name a folder. Got an empty value instead.")
    return Path(text)


def _date(variable: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{variable} must be a date like 2026-11-25. Got {text!r} instead.") from None


class Workspace:
    """A matcher loaded with a labelled data set and simulated advisor feedback; pseudonymised views of it."""

    def __init__(
        self, matcher: Matcher, labelled: LabelledSet, config: WorkspaceConfig, reused: bool = False
    ):
        self._matcher = matcher
        self._labelled = labelled
        self.config = config
        self.reused = reused
        self._secret = matcher.storage.secret(SECRET_NAME)

    # -- building ---------------------------------------------------------------------------------------

    @classmethod
    def open(cls, config: WorkspaceConfig | None = None, *, reuse: bool = True) -> Workspace:
        """Build the workspace in ``config.data_dir`` (its own SQLite database and indexes), or reopen one
        built earlier with the same configuration."""
        from matching.bootstrap import build_matcher
        from matching.taxonomy.esco import load_esco

        config = config or WorkspaceConfig.from_env()
        data_dir = Path(config.data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        taxonomy = load_esco(config.esco_path)
        labelled = generate_labelled_set(
            taxonomy, config.jobseekers, config.vacancies, seed=config.seed, today=config.today
        )
        settings = Settings(
            esco_path=config.esco_path,
            data_dir=data_dir,
            database_url=f"sqlite:///{(data_dir / 'workspace.db').as_posix()}",
            embedding_model=config.embedding_model,
            language=config.language,
        )
        matcher = build_matcher(settings, taxonomy)
        matcher.today = config.today
        manifest_path = data_dir / "workspace.json"
        expected = config.manifest()
        if reuse and manifest_path.exists() and json.loads(manifest_path.read_text()) == expected:
            matcher.open()
            return cls(matcher, labelled, config, reused=True)
        manifest_path.unlink(missing_ok=True)
        matcher.storage.clear()
        matcher.bulk_load(labelled.jobseekers, labelled.vacancies, organisation=ORGANISATION)
        workspace = cls(matcher, labelled, config)
        workspace._simulate_feedback()
        manifest_path.write_text(json.dumps(expected, indent=2))
        return workspace

    def _simulate_feedback(self) -> None:
        """Advisors look at each vacancy's top candidates and record what became of them."""
        n = self.config.feedback_per_vacancy
        if n == 0:
            return
        shown = {r.query_id: r.doc_ids[:n] for r in rank_for_vacancies(self._matcher, n)}
        for vacancy_id, seeker_id, request in simulate_feedback(self._labelled, shown, self.config.seed):
            record_feedback(self._matcher, vacancy_id, seeker_id, request)

    def close(self) -> None:
        self._matcher.close()

    # -- pseudonymised views ----------------------------------------------------------------------------

    def pseudonym(self, kind: str, entity_id: str) -> str:
        return analytics_pseudonym(self._secret, kind, entity_id)

    def describe(self) -> dict[str, Any]:
        """Sizes and where the data came from (no personal data)."""
        taxonomy = self._matcher.taxonomy
        return {
            "taxonomy": taxonomy.source,
            "occupations": len(taxonomy.occupations),
            "skills": len(taxonomy.skills),
            "embedding_model": self._matcher.encoder.embedder.model_id,
            "jobseekers": len(self._labelled.jobseekers),
            "planted_jobseekers": len(self._labelled.planted),
            "vacancies": len(self._labelled.vacancies),
            "relevant_pairs": sum(len(v) for v in self._labelled.qrels.values()),
            "seed": self.config.seed,
            "today": self.config.today.isoformat(),
            "reused": self.reused,
        }

    def jobseekers(self) -> pd.DataFrame:
        """The analytics export of the job seekers (pseudonymised; nationality, gender, age band)."""
        return pd.DataFrame(self._matcher.analytics_export("jobseeker"))

    def vacancies(self) -> pd.DataFrame:
        return pd.DataFrame(self._matcher.analytics_export("vacancy"))

    def feedback(self) -> pd.DataFrame:
        """The stored (simulated) advisor feedback, pseudonymised as analysts get it."""
        return pd.DataFrame(analytics_feedback(self._matcher))

    def ground_truth(self) -> pd.DataFrame:
        """Every relevant pair: vacancy, job seeker (pseudonyms) and grade (1–3)."""
        rows = [
            (self.pseudonym("vacancy", v), self.pseudonym("jobseeker", s), grade)
            for v, judged in self._labelled.qrels.items()
            for s, grade in judged.items()
        ]
        return pd.DataFrame(rows, columns=["vacancy", "jobseeker", "grade"])

    def quality(
        self, k: int = 10, *, labels: str = "ground truth", sides: Sequence[Side] = SIDES
    ) -> QualityReport:
        """Match quality against the ground truth (``labels="ground truth"``) or the stored feedback."""
        if labels == "ground truth":
            return evaluate_matching(self._matcher, self._labelled.qrels, k, sides=sides)
        if labels == "feedback":
            return evaluate_against_feedback(self._matcher, k, sides=sides)
        raise ValueError(
            f"The 'labels' parameter must be 'ground truth' or 'feedback'. Got {labels!r} instead."
        )

    def rankings(self, k: int = 10) -> pd.DataFrame:
        """Each vacancy's top-k candidates: vacancy, rank, job seeker (pseudonyms), score, eligibility, and the
        ground-truth grade of the pair."""
        rows = []
        for ranked in rank_for_vacancies(self._matcher, k):
            for rank, (seeker, score, eligibility) in enumerate(
                zip(ranked.doc_ids, ranked.scores, ranked.eligibility, strict=True), start=1
            ):
                rows.append(
                    (
                        self.pseudonym("vacancy", ranked.query_id),
                        rank,
                        self.pseudonym("jobseeker", seeker),
                        score,
                        eligibility,
                        self._labelled.grade(ranked.query_id, seeker),
                    )
                )
        return pd.DataFrame(rows, columns=["vacancy", "rank", "jobseeker", "score", "eligibility", "grade"])

    def relevant(self) -> dict[str, dict[str, int]]:
        """The ground truth as ``{vacancy: {jobseeker: grade}}`` in pseudonyms."""
        return {
            self.pseudonym("vacancy", v): {self.pseudonym("jobseeker", s): g for s, g in judged.items()}
            for v, judged in self._labelled.qrels.items()
        }

    # -- analyses (each returns pseudonymised tables) ---------------------------------------------------

    def blocked_matches(self, k: int = 10, *, max_jobseekers: int | None = None) -> pd.DataFrame:
        """Every job seeker's shown pairs with their causes (see :mod:`matching.evaluation.bottlenecks`)."""
        return bottlenecks.blocked_matches(
            self._matcher, k, max_jobseekers=max_jobseekers, seed=self.config.seed, pseudonym=self.pseudonym
        )

    def counterfactuals(self, k: int = 10, *, max_jobseekers: int | None = None) -> dict[str, pd.DataFrame]:
        """Per scenario (recognition completed, German one level up, both): the re-ranked job seekers, with
        the truly suitable matches in their top k before and after by the ground truth."""
        vacancies = {v.id: v for v in self._labelled.vacancies}

        def suitable(seeker: JobSeeker, vacancy_id: str) -> bool:
            return self._labelled.truth.judge(seeker, vacancies[vacancy_id]).grade > 0

        return bottlenecks.counterfactuals(
            self._matcher,
            bottlenecks.scenarios(self._matcher),
            k,
            max_jobseekers=max_jobseekers,
            seed=self.config.seed,
            suitable=suitable,
            pseudonym=self.pseudonym,
        )

    def regulation_coverage(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Occupations per ISCO major group by regulation state, and the not-checked occupations the stored
        job seekers and vacancies use, most frequent first (as ``skillbridge regulation-coverage``)."""
        from matching.ranking.coverage import ISCO_MAJOR_GROUPS, regulation_coverage
        from matching.ranking.regulation import RegulationState
        from matching.service.regulation import occupations_in_use

        matcher = self._matcher
        in_use = occupations_in_use(matcher.storage)
        coverage = regulation_coverage(
            matcher.taxonomy, matcher.rules.regulation, in_use, self.config.language
        )
        by_group = pd.DataFrame(
            [
                {"group": f"{g} {ISCO_MAJOR_GROUPS[g]}", **{s.value: c[s] for s in RegulationState}}
                for g, c in coverage.by_group.items()
            ]
        ).set_index("group")
        columns = ["uri", "label", "isco_code", "jobseekers", "vacancies"]
        worklist = pd.DataFrame(
            [[getattr(u, c) for c in columns] for u in coverage.worklist], columns=columns
        )
        return by_group, worklist

    def candidate_pools(self, pool: int = 50) -> pd.DataFrame:
        """Each vacancy's eligible and bridge candidates with the score's factors, the true ``grade`` and a
        ``feedback_grade``: the grade of the decision advisors would have recorded (simulated from the ground
        truth with its noise, as in :func:`~matching.evaluation.labelled.simulate_feedback`)."""
        frame = learned.candidate_pools(self._matcher, pool, grade=self._labelled.grade)
        pairs: dict[str, list[str]] = {}
        for vacancy_id, seeker_id in zip(frame["vacancy"], frame["jobseeker"], strict=True):
            pairs.setdefault(vacancy_id, []).append(seeker_id)
        decided = {
            (v, s): DECISION_GRADES[request.decision]
            for v, s, request in simulate_feedback(self._labelled, pairs, self.config.seed)
        }
        frame["feedback_grade"] = [
            decided[pair] for pair in zip(frame["vacancy"], frame["jobseeker"], strict=True)
        ]
        frame["vacancy"] = [self.pseudonym("vacancy", v) for v in frame["vacancy"]]
        frame["jobseeker"] = [self.pseudonym("jobseeker", s) for s in frame["jobseeker"]]
        return frame

    def protected_invariance(self, k: int = 10) -> dict[str, int | float]:
        """Rank every vacancy twice: as stored, and with the job seekers' protected attributes shuffled among
        them (and some removed), in a second database; count the rankings that stay identical."""
        from matching.store.storage import Storage

        rng = random.Random(self.config.seed)
        people = self._labelled.jobseekers
        attributes = [p.protected for p in people]
        rng.shuffle(attributes)
        changed = [
            p.model_copy(update={"protected": None if rng.random() < 0.1 else attributes[i]})
            for i, p in enumerate(people)
        ]
        differ = sum(a.protected != b.protected for a, b in zip(people, changed, strict=True))
        path = Path(self.config.data_dir) / "invariance.db"
        storage = Storage(f"sqlite:///{path.as_posix()}")
        try:
            storage.clear()
            other = Matcher(
                self._matcher.taxonomy,
                self._matcher.encoder.embedder,
                storage,
                None,
                weights=self._matcher.weights,
                language=self._matcher.language,
                rules=self._matcher.rules,
                today=self._matcher.today,
            )
            other.bulk_load(changed, self._labelled.vacancies, organisation=ORGANISATION)
            before = {r.query_id: (r.doc_ids, r.scores) for r in rank_for_vacancies(self._matcher, k)}
            after = {r.query_id: (r.doc_ids, r.scores) for r in rank_for_vacancies(other, k)}
        finally:
            storage.dispose()
            path.unlink(missing_ok=True)
        identical = sum(before[q] == after.get(q) for q in before)
        largest = max(
            (
                abs(x - y)
                for q in before
                if before[q][0] == after[q][0]
                for x, y in zip(before[q][1], after[q][1], strict=True)
            ),
            default=0.0,
        )
        return {
            "jobseekers_changed": differ,
            "rankings": len(before),
            "identical": identical,
            "largest_score_difference": largest,
        }
