"""skillbridge's core library, in layers; a module imports only from its own layer or the layers below.

    cli            the ``skillbridge`` command (serve imports the web app lazily)
    evaluation     match quality, fairness and linking metrics, analyst workspaces
    bootstrap      settings (config) turned into a service
    service        the Matcher façade and its parts; index shards built on Ray
    ingest         spreadsheet imports, match-list exports, synthetic data
    store          database: repositories, audit log, keys, feedback, migrations
    ranking        eligibility rules, reasons, geography, score, the ranking pipeline
    linking        free text to ESCO occupations and skills
    index          FAISS indexes, shards, crash-safe files
    embedding      embedders, the embedding cache, profile vectors
    taxonomy       the ESCO model, its loader and vocabulary
    (foundation)   errors, paths, access (roles and scopes), pseudonyms, logs

``models`` (domain models) lies below all of them; the core never imports ``api``. The rule is checked by
import-linter (``[tool.importlinter]`` in pyproject.toml); see ARCHITECTURE.md.
"""

import os as _os

# Idle OpenMP threads. The e5 engine, torch and FAISS each load their own OpenMP runtime, and each lets its
# idle threads spin for 300,000 rounds (several milliseconds) after every parallel section, on the cores the
# next runtime then needs: an English title is read by torch's model and then by e5's, and on two cores each
# model took about twice its time. A third of that spin keeps the gain of spinning inside one model's pass
# (benchmarks/results/linking.md, 2026-12-07, "idle threads"). The runtimes read this once, when they load,
# so it is set here, before any of them is imported; an operator's own value (or wait policy) is kept.
IDLE_SPIN_ROUNDS = "100000"
if "GOMP_SPINCOUNT" not in _os.environ and "OMP_WAIT_POLICY" not in _os.environ:
    _os.environ["GOMP_SPINCOUNT"] = IDLE_SPIN_ROUNDS
