"""Settings, read once from the environment (prefix ``SKILLBRIDGE_``) or a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from matching.embedding.factory import DEFAULT_MODEL, PACKAGED_E5, PACKAGED_MINILM
from matching.paths import DEMO_ESCO_DIR, GLOSSARY_DIR, VOCABULARY_DIR


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SKILLBRIDGE_", env_file=".env", extra="ignore")

    esco_path: Path = Field(
        default=DEMO_ESCO_DIR,
        description="Folder with an ESCO download in the official CSV layout (default: the demo taxonomy).",
    )
    vocabulary: Annotated[list[Path], NoDecode] = Field(
        default_factory=lambda: [DEMO_ESCO_DIR, VOCABULARY_DIR],
        description="Extra names for taxonomy concepts, merged in for linking and display: CSV files "
        "(conceptUri,language,label), folders of them, or ESCO-layout folders whose labels are taken. "
        "Comma-separated in the environment; empty for none. Default: the names of the demo taxonomy "
        "(German everyday titles, Ukrainian) and data/vocabulary (Russian).",
    )
    glossary: Annotated[list[Path], NoDecode] = Field(
        default_factory=lambda: [GLOSSARY_DIR],
        description="Ukrainian and Russian words with their English meaning, for job titles and skill sentences "
        "no vocabulary name matches: CSV files (stem,english) or folders of them. Comma-separated in the "
        "environment; empty for none. Default: data/glossary.",
    )
    data_dir: Path = Field(default=Path("var"), description="Where indexes and the embedding cache live.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default a SQLite file in data_dir."
    )
    embedding_model: str = Field(
        default=DEFAULT_MODEL,
        description="'packaged:multilingual-e5-small' (the default: reads German, Ukrainian, Russian and ~100 "
        "other languages), 'packaged:all-MiniLM-L6-v2', a model file written by train-linker, any "
        "sentence-transformers model name or folder; 'hashing-<dim>' for tests.",
    )
    english_embedding_model: str = Field(
        default="auto",
        description="An English model that links titles and skill texts written in English, beside a "
        "multilingual embedding_model (it links English skill sentences better; see README, Linking quality). "
        "'auto': the packaged all-MiniLM-L6-v2 when embedding_model is the packaged e5, else none; 'none': "
        "embedding_model reads every text.",
    )
    embedding_backend: Literal["auto", "fp32", "traced", "bf16", "onnx"] = Field(
        default="auto",
        description="How the English sentence-transformers model runs. auto: exported to ONNX Runtime ('onnx': "
        "fp32, the same vectors, less than half of torch's time per short text) where the model's layout "
        "allows and the export reproduces eager torch; else bf16 autocast when the CPU supports it, it is "
        "faster and agrees with fp32 (cosine >= 0.9999) on probe sentences; else fp32 run as a TorchScript "
        "trace ('traced': same vectors) where the trace reproduces eager torch; else eager fp32 ('fp32').",
    )
    embedding_threads: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="Threads the embedding model uses per call in each process (default: the process's cores; "
        "with several server workers, the cores divided among them).",
    )
    ranked_pairs_kept: int = Field(
        default=40_000,
        ge=0,
        le=10_000_000,
        description="Ranked pairs each process keeps (their assessment and score parts, about 2 KB each: "
        "40,000 take about 90 MB) so that a list asked for again is not assessed again; 0 keeps none.",
    )
    language: str = Field(
        default="en", description="Language of concept labels used for embedding and output."
    )
    max_k: int = Field(default=200, ge=1, le=1000)
    webhook_allowed: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Address prefixes a saved search's alerts may be sent to (e.g. "
        "'https://hooks.jobcenter.example/'), comma-separated; empty: no webhooks.",
    )
    auth_failures: int = Field(
        default=20,
        ge=1,
        le=100_000,
        description="Refused keys a client (address) may present per minute in each process; then every "
        "request answers 429 with Retry-After until the minute has passed.",
    )
    analytics_k: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="The analysts' job seeker export is generalised until every combination of values is "
        "shared by at least this many people (k-anonymity); 1 turns it off.",
    )

    @field_validator("vocabulary", "glossary", "webhook_allowed", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'skillbridge.db').as_posix()}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "indexes"

    @property
    def resolved_english_model(self) -> str | None:
        if self.english_embedding_model == "auto":
            return PACKAGED_MINILM if self.embedding_model == PACKAGED_E5 else None
        if (
            self.english_embedding_model in ("", "none")
            or self.english_embedding_model == self.embedding_model
        ):
            return None
        return self.english_embedding_model

    @property
    def embedding_cache_path(self) -> Path:
        return self.data_dir / "embedding-cache.sqlite"


@lru_cache
def get_settings() -> Settings:
    return Settings()
