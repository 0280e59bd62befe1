"""Embed millions of profiles and build index shards on a Ray cluster (``pip install "skillbridge[distributed]"``).

The driver (this process) only plans and assembles:

1. it splits the table into pages of ``batch_size`` rows by id (one query returning every
   ``batch_size``-th id), so pages are key ranges that any worker can read by itself;
2. encoder actors, each loading the taxonomy and the embedding model once, read their pages straight from
   the database (keyset pagination inside the range), compose the profile vectors (ProfileEncoder) and
   return them already split by shard (:func:`matching.index.shards.shard_of`);
3. one task per shard builds a :class:`VectorIndex` in the layout chosen for its size and saves it into
   ``out_dir``, which must be storage every node shares;
4. the driver writes the manifest last, with the fingerprint of exactly the rows that were read (each
   page reports its ``(id, digest)`` lines, hashed in id order as ``Repository.fingerprint`` does), so a
   database changed during the build shows up as a mismatch when the service starts.

``ray.init(address=...)`` joins a running cluster; without an address a local cluster is started on this
machine. See docs/distributed.md.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from matching.errors import MatchingError, VectorIndexError
from matching.index.manifest import (
    MANIFEST_SUFFIX,
    Manifest,
    ShardFile,
    check_n_shards,
    manifest_path,
    remove_stale_shards,
    shard_of,
    write_shard,
)
from matching.index.vector_index import VectorIndex
from matching.store.engine import create_db_engine
from matching.store.tables import JobSeekerRow, VacancyRow
from models import JobSeeker, Vacancy

log = logging.getLogger(__name__)

Kind = Literal["jobseekers", "vacancies"]
KINDS: tuple[Kind, ...] = ("jobseekers", "vacancies")
# (stage, done, total): ("encoding", profiles encoded, profiles), then ("building", shards saved, shards).
Progress = Callable[[str, int, int], None]
Bound = str | None
IN_FLIGHT_PER_WORKER = 2  # pages queued per encoder: one being read and encoded, one waiting
READ_BATCH = 2000  # rows per database round trip inside a page


class RayNotInstalledError(MatchingError, ImportError):
    """Building shards on a cluster needs Ray, an optional dependency."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    manifest: Path
    kind: Kind
    count: int
    n_shards: int
    pages: int
    workers: int
    fingerprint: str
    encode_seconds: float
    build_seconds: float
    seconds: float

    @property
    def profiles_per_second(self) -> float:
        """Encoding throughput: rows read from the database and turned into vectors per second."""
        return self.count / self.encode_seconds if self.encode_seconds > 0 else float("inf")


def _row_type(kind: str) -> Any:
    if kind not in KINDS:
        raise MatchingError(f"The 'kind' parameter must be one of {list(KINDS)}. Got {kind!r} instead.")
    return JobSeekerRow if kind == "jobseekers" else VacancyRow


def worker_database_url(url: str) -> str:
    """The URL as workers must see it: SQLite paths made absolute (workers do not share our working
    directory); in-memory SQLite refused, since no other process can see it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return url
    if not parsed.database or parsed.database == ":memory:" or "mode=memory" in url:
        raise MatchingError(
            f"Database {url!r} lives in this process's memory, which Ray workers cannot read; use a SQLite "
            "file or a PostgreSQL URL."
        )
    absolute = str(Path(parsed.database).expanduser().resolve())
    return parsed.set(database=absolute).render_as_string(hide_password=False)


def page_bounds(engine: Engine, kind: Kind, batch_size: int) -> list[tuple[Bound, Bound]]:
    """Key ranges ``[lo, hi)`` of about ``batch_size`` rows each that cover every id, including ids added
    later (the first range is open below, the last open above). One query returns every
    ``batch_size``-th id: the database does the counting, the driver never holds all ids."""
    row = _row_type(kind)
    numbered = select(row.id.label("id"), func.row_number().over(order_by=row.id).label("n")).subquery()
    statement = select(numbered.c.id).where((numbered.c.n - 1) % batch_size == 0).order_by(numbered.c.id)
    with engine.connect() as conn:
        starts = [str(value) for value in conn.scalars(statement)]
    cuts: list[Bound] = [None, *starts[1:], None]
    return list(itertools.pairwise(cuts))


def _read_page(engine: Engine, row: Any, lo: Bound, hi: Bound) -> Iterator[list[Any]]:
    """The rows of ``[lo, hi)`` in id order, READ_BATCH at a time by keyset (never OFFSET)."""
    last = lo
    first = True
    while True:
        statement = select(row.id, row.digest, row.document).order_by(row.id).limit(READ_BATCH)
        if last is not None:
            statement = statement.where(row.id >= last if first else row.id > last)
        if hi is not None:
            statement = statement.where(row.id < hi)
        with engine.connect() as conn:
            rows = list(conn.execute(statement))
        if not rows:
            return
        yield rows
        last, first = str(rows[-1][0]), False


class PageEncoder:
    """A Ray actor: loads the taxonomy, the embedder and a database connection once, then encodes pages."""

    def __init__(
        self,
        database_url: str,
        taxonomy_path: str,
        model: str,
        language: str,
        kind: Kind,
        n_shards: int,
        vocabulary: Sequence[str] = (),
    ):
        from matching.embedding.factory import make_embedder
        from matching.embedding.profiles import ProfileEncoder
        from matching.taxonomy.esco import load_esco
        from matching.taxonomy.vocabulary import with_vocabulary

        self.engine = create_db_engine(database_url)
        self.row = _row_type(kind)
        # The same taxonomy as the service's (vocabulary names can be labels in languages ESCO lacks).
        taxonomy, _ = with_vocabulary(load_esco(taxonomy_path), vocabulary)
        encoder = ProfileEncoder(taxonomy, make_embedder(model), language)
        self.encoder = encoder
        self.model: type[JobSeeker] | type[Vacancy] = JobSeeker if kind == "jobseekers" else Vacancy
        self.encode: Callable[[Sequence[Any]], np.ndarray] = (
            encoder.encode_seekers if kind == "jobseekers" else encoder.encode_vacancies
        )
        self.n_shards = n_shards

    def info(self) -> tuple[str, int]:
        return self.encoder.embedder.model_id, self.encoder.dim

    def encode_page(self, lo: Bound, hi: Bound) -> tuple[Any, ...]:
        """``(count, fingerprint lines, seconds)`` followed by ``(ids, vectors)`` for each shard."""
        started = time.perf_counter()
        ids: list[str] = []
        lines: list[bytes] = []
        vectors: list[np.ndarray] = []
        for rows in _read_page(self.engine, self.row, lo, hi):
            items = [self.model.model_validate(document) for _, _, document in rows]
            vectors.append(self.encode(items))
            ids.extend(str(entity_id) for entity_id, _, _ in rows)
            lines.extend(f"{entity_id}\0{digest}\n".encode() for entity_id, digest, _ in rows)
        matrix = np.concatenate(vectors) if vectors else np.zeros((0, self.encoder.dim), dtype=np.float32)
        routes = np.fromiter((shard_of(e, self.n_shards) for e in ids), dtype=np.int64, count=len(ids))
        names = np.asarray(ids, dtype=str)
        parts = []
        for shard in range(self.n_shards):
            rows_here = np.flatnonzero(routes == shard)
            parts.append((names[rows_here], matrix[rows_here]))
        summary = (len(ids), b"".join(lines), time.perf_counter() - started)
        return (summary, *parts)

    def build_shard(self, *args: Any) -> ShardFile:
        """Shard building runs on the warm encoders too: no new worker processes to start."""
        return build_shard(*args)


def build_shard(
    directory: str,
    stem: str,
    shard: int,
    n_shards: int,
    dim: int,
    fingerprint: str,
    seed: int,
    *parts: tuple[np.ndarray, np.ndarray],
) -> ShardFile:
    """One shard's vectors from every page into a VectorIndex (layout by size), saved into ``directory``."""
    ids = [str(e) for names, _ in parts for e in names]
    if ids:
        vectors = np.concatenate([v for _, v in parts])
        index = VectorIndex.build(dim, ids, vectors, seed=seed)
    else:
        index = VectorIndex(dim)
    index.fingerprint = fingerprint
    return write_shard(index, Path(directory), stem, shard, n_shards)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise RayNotInstalledError(
            'Building shards needs Ray: pip install "skillbridge[distributed]" (or pip install ray) on '
            "this machine and on every node of the cluster."
        ) from exc
    return ray


def build_shards(
    database_url: str,
    taxonomy_path: str | Path,
    model: str,
    out_dir: str | Path,
    n_shards: int,
    ray_address: str | None = None,
    batch_size: int = 20_000,
    progress: Progress | None = None,
    *,
    kind: Kind = "jobseekers",
    language: str = "en",
    workers: int | None = None,
    num_cpus: int | None = None,
    seed: int = 0,
    vocabulary: Sequence[str | Path] = (),
) -> BuildReport:
    """Encode every ``kind`` row of the database on Ray and write ``n_shards`` index shards plus their
    manifest ``<out_dir>/<kind>.manifest.json``, which the service loads (Matcher.open).

    ``ray_address``: a running cluster (``ray://head:10001`` or ``head:6379``); without it a local cluster
    with ``num_cpus`` CPUs (default: all) is started and stopped again. If Ray is already initialised in this
    process, that cluster is used. ``workers``: encoder actors (default: one per CPU of the cluster).
    ``vocabulary``: the service's vocabulary sources (Settings.vocabulary), at the same paths on every node.
    """
    check_n_shards(n_shards)
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise MatchingError(f"The 'batch_size' parameter must be an int >= 1. Got {batch_size!r} instead.")
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise MatchingError(f"The 'workers' parameter must be an int >= 1. Got {workers!r} instead.")
    row_type = _row_type(kind)
    ray = _import_ray()
    url = worker_database_url(database_url)
    taxonomy = str(Path(taxonomy_path).expanduser().resolve())
    vocabulary_paths = [str(Path(source).expanduser().resolve()) for source in vocabulary]
    directory = Path(out_dir).expanduser().resolve()
    directory.mkdir(parents=True, exist_ok=True)
    manifest = manifest_path(directory / f"{kind}.npz")
    started = time.perf_counter()

    engine = create_db_engine(url)
    try:
        pages = page_bounds(engine, kind, batch_size)
        with engine.connect() as conn:
            total = int(conn.scalar(select(func.count()).select_from(row_type)) or 0)
    finally:
        engine.dispose()

    actors: list[Any] = []
    started_ray = not ray.is_initialized()
    if not started_ray:
        log.info("Ray is already initialised in this process; building on that cluster.")
    elif ray_address:
        try:
            ray.init(address=ray_address)
        except ConnectionError as exc:
            raise MatchingError(
                f"Cannot reach the Ray cluster at {ray_address!r} ({exc}). Start it with 'ray start --head' "
                "and pass the address it prints, or leave the address out for a local cluster."
            ) from exc
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False)
    try:
        n_workers = min(len(pages), workers or max(1, int(ray.cluster_resources().get("CPU", 1))))
        encoder_actor = ray.remote(num_cpus=1)(PageEncoder)
        actors.extend(
            encoder_actor.remote(url, taxonomy, model, language, kind, n_shards, vocabulary_paths)
            for _ in range(n_workers)
        )
        infos = ray.get([actor.info.remote() for actor in actors])
        model_id, dim = infos[0]

        # Encode: a few pages queued per actor; a finished page frees a slot on the actor that did it.
        encode_started = time.perf_counter()
        digest = hashlib.sha256()
        shard_refs: list[list[Any]] = [[] for _ in pages]
        lines: dict[int, bytes] = {}
        pending: dict[Any, tuple[int, Any]] = {}
        todo = iter(range(len(pages)))
        next_line, done = 0, 0

        def submit(actor: Any) -> None:
            page = next(todo, None)
            if page is None:
                return
            refs = actor.encode_page.options(num_returns=n_shards + 1).remote(*pages[page])
            shard_refs[page] = refs[1:]
            pending[refs[0]] = (page, actor)

        for actor in actors:
            for _ in range(IN_FLIGHT_PER_WORKER):
                submit(actor)
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            page, actor = pending.pop(ready[0])
            count, page_lines, _seconds = ray.get(ready[0])
            lines[page] = page_lines
            while next_line in lines:  # the fingerprint hashes the rows in id order, page after page
                digest.update(lines.pop(next_line))
                next_line += 1
            done += count
            if progress:
                progress("encoding", done, max(total, done))
            submit(actor)
        encode_seconds = time.perf_counter() - encode_started
        fingerprint = digest.hexdigest()

        # Build: one call per shard, spread over the encoders, each gathering its part of every page.
        build_started = time.perf_counter()
        stem = manifest.name.removesuffix(MANIFEST_SUFFIX)
        tasks = {
            actors[shard % n_workers].build_shard.remote(
                str(directory),
                stem,
                shard,
                n_shards,
                dim,
                fingerprint,
                seed,
                *[refs[shard] for refs in shard_refs],
            ): shard
            for shard in range(n_shards)
        }
        files: list[ShardFile | None] = [None] * n_shards
        waiting = list(tasks)
        while waiting:
            ready, waiting = ray.wait(waiting, num_returns=1)
            files[tasks[ready[0]]] = ray.get(ready[0])
            if progress:
                progress("building", n_shards - len(waiting), n_shards)
        build_seconds = time.perf_counter() - build_started
    finally:
        for actor in actors:  # on a cluster that outlives this build, give their CPUs back
            ray.kill(actor)
        if started_ray:
            ray.shutdown()

    written = [f for f in files if f is not None]
    for info in written:
        on_disk = directory / info.file
        if not on_disk.is_file() or on_disk.stat().st_size != info.bytes:
            raise VectorIndexError(
                f"Shard file {on_disk} was written by a worker but is not visible here: the output folder "
                "must be storage shared by every node of the cluster (e.g. NFS). No manifest was written."
            )
    Manifest(n_shards, dim, model_id, fingerprint, written).write(manifest)
    remove_stale_shards(manifest, [f.file for f in written])
    return BuildReport(
        manifest=manifest,
        kind=kind,
        count=sum(f.count for f in written),
        n_shards=n_shards,
        pages=len(pages),
        workers=n_workers,
        fingerprint=fingerprint,
        encode_seconds=encode_seconds,
        build_seconds=build_seconds,
        seconds=time.perf_counter() - started,
    )
