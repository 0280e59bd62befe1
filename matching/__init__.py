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
