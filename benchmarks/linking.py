"""Linking quality against public benchmarks, beside a character TF-IDF baseline and published numbers.

    .venv/bin/python benchmarks/linking.py [--esco ../shared/data/esco] [--eval ../shared/eval]
    .venv/bin/python benchmarks/linking.py --esco data/demo_esco      # the project's check set only

Reads the ESCO download and the public evaluation sets at run time (never copied) and the project's
multilingual check set (data/linking_eval), prints markdown tables and writes them to var/linking-benchmark.md
(benchmarks/results/linking.md keeps the reported runs). The service's vocabulary is merged in as it is in the
service (--vocabulary to choose other sources; '--vocabulary' alone for none). The first run embeds the ESCO
labels and descriptions it needs (a few minutes on two cores; cached in var/benchmark-embeddings.sqlite).
`--skills-only` runs just the public skill-linking sets; `--no-alignment` reads titles without the query map
(linking/alignment.py), as before it existed.
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import hashlib
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching.config import Settings  # noqa: E402
from matching.embedding.base import embed_queries  # noqa: E402
from matching.embedding.factory import DEFAULT_MODEL, make_embedder  # noqa: E402
from matching.evaluation.check_set import read_check_set, score_check_set  # noqa: E402
from matching.evaluation.metrics import evaluate  # noqa: E402
from matching.linking.gloss import Glossary  # noqa: E402
from matching.linking.lexical import LabelMatrix, LexicalIndex  # noqa: E402
from matching.linking.linker import ConceptLinker  # noqa: E402
from matching.linking.normalize import normalise_title  # noqa: E402
from matching.linking.taxonomy_linker import TaxonomyLinker, service_linker  # noqa: E402
from matching.linking.weights import OCCUPATION_WEIGHTS, SKILL_SPANS, SKILL_WEIGHTS  # noqa: E402
from matching.taxonomy.esco import load_esco  # noqa: E402
from matching.taxonomy.model import Concept, Taxonomy  # noqa: E402
from matching.taxonomy.vocabulary import with_vocabulary  # noqa: E402

FULL_ESCO_OCCUPATIONS = 2000  # the public sets need a full ESCO download; the demo taxonomy has 70

Ranker = Callable[[Sequence[str]], np.ndarray]  # texts -> (n_texts, n_docs) scores


class CharTfidfBaseline:
    """The standard lexical baseline: character 2–4-gram TF-IDF cosine between raw texts, nothing else."""

    def __init__(self, documents: Sequence[str]):
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=True)
        self.matrix = self.vectorizer.fit_transform(documents)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        return (self.vectorizer.transform(texts) @ self.matrix.T).toarray()


def rank(scorer: Ranker, queries: dict[str, str], doc_ids: Sequence[str], k: int = 100, chunk: int = 256):
    qids = list(queries)
    run: dict[str, list[tuple[str, float]]] = {}
    for start in range(0, len(qids), chunk):
        part = qids[start : start + chunk]
        scores = scorer([queries[q] for q in part])
        for row, qid in enumerate(part):
            top = np.argsort(-scores[row], kind="stable")[:k]
            run[qid] = [(doc_ids[i], float(scores[row, i])) for i in top]
    return run


def link_latency(linker, texts: Sequence[str]) -> tuple[float, float]:
    """Median and p99 milliseconds to link one text, each text once (query texts are never cached: every call
    embeds afresh)."""
    timings = []
    for text in texts:
        started = time.perf_counter()
        linker.link([text], 10)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), sorted(timings)[int(0.99 * len(timings)) - 1]


def linker_scorer(linker) -> Ranker:
    return lambda texts: linker.score_matrix(texts)[0]


# -- data sets ---------------------------------------------------------------------------------------


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def skill_sets(folder: Path) -> tuple[list[str], dict[str, tuple[dict, dict]]]:
    """HOUSE validation/test and TECHWOLF: sentence -> set of gold labels (protocol of the eval README)."""
    text = (folder / "skills_en_label.txt").read_text(encoding="utf-8")
    labels = [line.strip() for line in text.splitlines() if line.strip()]
    known = set(labels)
    out = {}
    for name, file in (
        ("HOUSE validation", "house_validation_annotations.csv"),
        ("HOUSE test", "house_test_annotations.csv"),
        ("TECHWOLF test", "techwolf_test_annotations.csv"),
    ):
        gold: dict[str, set[str]] = collections.defaultdict(set)
        for row in _csv_rows(folder / file):
            if row["label"].strip() in known:
                gold[row["sentence"]].add(row["label"].strip())
        sentences = {f"q{i}": s for i, s in enumerate(sorted(gold))}
        qrels = {q: {label: 1 for label in gold[s]} for q, s in sentences.items()}
        out[name] = (sentences, qrels)
    return labels, out


def jobbert_set(folder: Path, occupations: set[str]) -> tuple[dict, dict, int]:
    queries, qrels, deprecated = {}, {}, 0
    for i, row in enumerate(_csv_rows(folder / "titles.test.csv")):
        uri = row["conceptUri"].strip()
        deprecated += uri not in occupations
        queries[f"t{i}"] = row["vacancyTitle"]
        qrels[f"t{i}"] = {uri: 1}
    return queries, qrels, deprecated


def title_similarity_set(folder: Path) -> tuple[dict, dict, dict]:
    def tsv(name: str) -> list[list[str]]:
        return [
            line.rstrip("\n").split("\t") for line in open(folder / name, encoding="utf-8") if line.strip()
        ]

    queries = {row[0]: row[1] for row in tsv("queries.tsv")}
    corpus = {row[0]: row[1] for row in tsv("corpus_documents.tsv")}
    qrels: dict[str, dict[str, int]] = collections.defaultdict(dict)
    for qid, _, doc, rel in tsv("annotations.tsv"):
        qrels[qid][doc] = int(rel)
    return queries, corpus, dict(qrels)


MELO_SETS = {  # folder: (language of the queries, published zero-shot MRR of the strongest model)
    "pol_q_pl_c_en": ("Polish", "0.509 (OpenAI text-embedding-3-large); 0.379 multilingual-e5-large"),
    "cze_q_cs_c_en": ("Czech", "0.436 (OpenAI text-embedding-3-large); 0.341 multilingual-e5-large"),
    "bgr_q_bg_c_en": ("Bulgarian", "0.237 (OpenAI, e5-mistral-7b); 0.187 multilingual-e5-large"),
    "usa_q_en_c_en": ("US English", "0.684 (OpenAI text-embedding-3-large); 0.656 multilingual-e5-large"),
}


def melo_set(folder: Path, taxonomy: Taxonomy) -> tuple[dict, dict, list[Concept], int]:
    """MELO's protocol: national titles ranked against the English labels of its corpus (ESCO occupations and
    ISCO groups); gold = the concepts of the relevant corpus elements. The corpus concepts become linkable
    concepts with their English labels only, their ISCO code (ISCO groups: their own, occupations: from the
    taxonomy) and nothing else, so that every system sees the same candidates. Returns queries, qrels over
    concept URIs, the concepts and how many queries have only ISCO groups as gold."""

    def tsv(name: str) -> list[list[str]]:
        return [
            line.rstrip("\n").split("\t") for line in open(folder / name, encoding="utf-8") if line.strip()
        ]

    concept_of = {element: uri for element, uri in tsv("concept_mapping.tsv")}
    labels: dict[str, list[str]] = collections.defaultdict(list)
    for element, label in tsv("corpus_elements.tsv"):
        labels[concept_of[element]].append(label)
    qrels: dict[str, dict[str, int]] = collections.defaultdict(dict)
    for qid, _, element, relevance in tsv("annotations.tsv"):
        if int(relevance) > 0:
            qrels[qid][concept_of[element]] = 1
    queries = {qid: text for qid, text in tsv("queries.tsv") if qid in qrels}
    concepts = []
    for uri in sorted(labels):
        names = list(dict.fromkeys(labels[uri]))
        isco = (
            uri.rsplit("/C", 1)[1]
            if "/isco/C" in uri
            else getattr(taxonomy.occupations.get(uri), "isco_code", "")
        )
        concepts.append(Concept(uri=uri, kind="occupation", labels={"en": names[0]},
                                alt_labels={"en": tuple(names[1:])}, descriptions={}, isco_code=isco))  # fmt: skip
    isco_only = sum(all("/isco/" in uri for uri in qrels[q]) for q in queries)
    return queries, dict(qrels), concepts, isco_only


# -- systems -----------------------------------------------------------------------------------------


def candidate_concepts(labels: Sequence[str], skills: dict[str, Concept]) -> list[Concept]:
    """The eval's candidate labels (ESCO v1.1.0 names) as concepts, with v1.2.0 alt labels and descriptions."""
    by_label = {}
    for concept in skills.values():
        by_label.setdefault(concept.labels.get("en", ""), concept)
    out = []
    for label in labels:
        found = by_label.get(label)
        out.append(
            Concept(
                uri=label,
                kind="skill",
                labels={"en": label},
                alt_labels={"en": found.alt_labels.get("en", ())} if found else {},
                descriptions={"en": found.descriptions["en"]} if found and "en" in found.descriptions else {},
            )
        )
    return out


class TitleSimilarity:
    """Job title vs job title, the mean of four similarities: character n-grams; the embeddings of the two
    titles; the overlap of their linked ESCO occupations (top 10, by link score); and the embeddings of those
    occupations' English labels, weighted by link score. The last carries a German title into the space the
    (English) model reads, as profile vectors do in the service ("Börsenmakler" and "Aktienhändler" link to
    different occupations whose English labels are close)."""

    def __init__(self, corpus: Sequence[str], embedder, occupation_linker: ConceptLinker, top: int = 10):
        self.embedder = embedder
        self.lexical = LexicalIndex([(str(i), [t]) for i, t in enumerate(corpus)], normalise_title)
        self.corpus_vectors = embed_queries(embedder, list(corpus))
        self.linker, self.top = occupation_linker, top
        inner = getattr(occupation_linker, "inner", occupation_linker)  # glossed: titles as written
        main = getattr(inner, "other", inner)  # routed: the multilingual model's
        self.label_vectors = main.channels["preferred"].vectors_by_dim.T  # (concepts, dim)
        self.corpus_profiles = self._profiles(corpus)
        self.corpus_mediated = self._mediated(self.corpus_profiles)

    def _profiles(self, titles: Sequence[str]) -> np.ndarray:
        scores = np.vstack(
            [self.linker.score_matrix(titles[i : i + 256])[0] for i in range(0, len(titles), 256)]
        )
        cut = np.sort(scores, axis=1)[:, -self.top][:, None]
        sparse = np.where(scores >= cut, scores, 0.0)
        return sparse / np.maximum(np.linalg.norm(sparse, axis=1, keepdims=True), 1e-9)

    def _mediated(self, profiles: np.ndarray) -> np.ndarray:
        vectors = profiles @ self.label_vectors
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        lexical = self.lexical.scores(texts)
        semantic = embed_queries(self.embedder, list(texts)) @ self.corpus_vectors.T
        profiles = self._profiles(texts)
        concepts = profiles @ self.corpus_profiles.T
        mediated = self._mediated(profiles) @ self.corpus_mediated.T
        return (lexical + semantic + concepts + mediated) / 4


# -- the project's multilingual check set ------------------------------------------------------------


class AllLabelsBaseline:
    """Character 2–4-gram TF-IDF between the raw text and every label of a concept in every language (the
    taxonomy as loaded, vocabulary included); a concept scores as its best label."""

    def __init__(self, concepts: Sequence[Concept]):
        self.matrix = LabelMatrix([(c.uri, [label for _, label in c.all_labels()]) for c in concepts])
        self.baseline = CharTfidfBaseline(self.matrix.labels)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        return self.matrix.per_concept_max(self.baseline(texts).astype(np.float32))


def check_set_rows(
    plain: Taxonomy,
    merged: Taxonomy,
    service: TaxonomyLinker,
    embedder,
    split: str,
    english=None,
    glossary=None,
    aligned: bool = True,
) -> tuple[list[tuple[str, ...]], TaxonomyLinker]:
    """Per language: the all-labels baseline, skillbridge without the vocabulary or the glossary, without the
    vocabulary, and skillbridge (``service``, the linkers over ``merged``); also the linkers without the
    vocabulary."""
    bare = TaxonomyLinker(plain, embedder, english_embedder=english, aligned=aligned)
    without = TaxonomyLinker(plain, embedder, english_embedder=english, glossary=glossary, aligned=aligned)
    with_vocabulary = service
    rows = []
    for kind, metrics in (
        ("titles", (("MRR", False), ("Acc@1", True))),
        ("skills", (("MRR", False), ("RP@5", True))),
    ):
        items = read_check_set(kind, split)
        pick = (lambda linker: linker.occupations) if kind == "titles" else (lambda linker: linker.skills)
        concepts = list((merged.occupations if kind == "titles" else merged.skills).values())
        results = [
            score_check_set(items, AllLabelsBaseline(concepts), [c.uri for c in concepts]),
            score_check_set(items, linker_scorer(pick(bare)), pick(bare).ids),
            score_check_set(items, linker_scorer(pick(without)), pick(without).ids),
            score_check_set(items, linker_scorer(pick(with_vocabulary)), pick(with_vocabulary).ids),
        ]
        for language in ("de", "uk", "ru"):
            if language not in results[-1]:
                continue
            counted = int(results[-1][language]["queries"])
            unit = "titles" if kind == "titles" else "sentences"
            name = f"{kind.capitalize()} {language} ({split}, {counted} {unit})"
            for metric, percent in metrics:
                rows.append(
                    (
                        name,
                        metric,
                        *(fmt(r[language][metric], percent) if language in r else "–" for r in results),
                    )
                )
    return rows, without


# -- main --------------------------------------------------------------------------------------------


def fmt(value: float, percent: bool = False) -> str:
    return f"{100 * value:.1f} %" if percent else f"{value:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--esco", type=Path, default=ROOT.parent / "shared" / "data" / "esco")
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument(
        "--model", default=DEFAULT_MODEL, help="the embedding model (as SKILLBRIDGE_EMBEDDING_MODEL)"
    )
    parser.add_argument("--english-model", default="auto", help="as SKILLBRIDGE_ENGLISH_EMBEDDING_MODEL")
    parser.add_argument(
        "--vocabulary", type=Path, nargs="*", default=None,
        help="vocabulary sources (default: the service's, SKILLBRIDGE_VOCABULARY); none: no vocabulary",
    )  # fmt: skip
    parser.add_argument(
        "--glossary", type=Path, nargs="*", default=None,
        help="glossary sources (default: the service's, SKILLBRIDGE_GLOSSARY); none: no glossary",
    )  # fmt: skip
    parser.add_argument(
        "--no-alignment",
        action="store_true",
        help="titles not read through the query map (before it existed)",
    )
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "benchmark-embeddings.sqlite")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "linking-benchmark.md")
    parser.add_argument("--skills-only", action="store_true", help="only the skill-linking sets (quick)")
    parser.add_argument("--jobbert-limit", type=int, default=None, help="evaluate only the first N titles")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test", help="of the check set")
    args = parser.parse_args()
    if not args.esco.is_dir():
        print(f"Skipped: needs an ESCO folder ({args.esco}).")
        return 0

    started = time.perf_counter()
    plain = load_esco(args.esco)
    sources = Settings().vocabulary if args.vocabulary is None else args.vocabulary
    taxonomy, report = with_vocabulary(plain, sources)
    embedder = make_embedder(args.model, args.cache)
    english_model = Settings(
        embedding_model=args.model, english_embedding_model=args.english_model
    ).resolved_english_model
    english = make_embedder(english_model, args.cache) if english_model else None
    glossary_sources = Settings().glossary if args.glossary is None else args.glossary
    glossary = Glossary.read(glossary_sources) if glossary_sources else None

    def linker(concepts, weights, spans=None):
        """A linker as the service builds it (without calibration: the benchmark ranks, it does not judge)."""
        return service_linker(concepts, weights, spans, embedder=embedder, english_embedder=english,
                              glossary=glossary, query_map=service.query_map)  # fmt: skip

    rows: list[tuple[str, ...]] = []  # set, metric, baseline, (without vocabulary,) ours, published
    public = args.eval.is_dir() and len(plain.occupations) >= FULL_ESCO_OCCUPATIONS
    if not public:
        print(f"Public sets skipped: they need {args.eval} and a full ESCO download (found "
              f"{len(plain.occupations)} occupations). Running the project's check set only.\n")  # fmt: skip

    # The project's multilingual check set -------------------------------------------------------------
    # the service's linkers: whole taxonomy, vocabulary merged
    aligned = not args.no_alignment
    service = TaxonomyLinker(taxonomy, embedder, english_embedder=english, glossary=glossary, aligned=aligned)
    check_rows, without = (
        check_set_rows(plain, taxonomy, service, embedder, args.split, english, glossary, aligned)
        if not args.skills_only
        else ([], None)
    )

    titles: list[str] = []
    sentences: list[str] = []
    if public:
        # Skill linking ------------------------------------------------------------------------------
        labels, sets = skill_sets(args.eval / "skill_linking")
        skill_linker = linker(candidate_concepts(labels, taxonomy.skills), SKILL_WEIGHTS, SKILL_SPANS)
        baseline = CharTfidfBaseline(labels)
        published = {"HOUSE test": {"MRR": "0.484", "RP@5": "49.1 %"}}
        for name, (queries, qrels) in sets.items():
            base = evaluate(rank(baseline, queries, labels), qrels, ks=(1, 5, 10))
            ours = evaluate(
                rank(linker_scorer(skill_linker), queries, skill_linker.ids), qrels, ks=(1, 5, 10)
            )
            for metric, percent in (("MRR", False), ("RP@1", True), ("RP@5", True), ("RP@10", True)):
                rows.append((f"{name} ({base['queries']} sentences)", metric, fmt(base[metric], percent),
                             fmt(ours[metric], percent), published.get(name, {}).get(metric, "")))  # fmt: skip
        sentences = list(sets["HOUSE test"][0].values())[:100]
        titles = list(jobbert_set(args.eval / "jobbert_titles", set())[0].values())[:200]

    if public and not args.skills_only:
        # Job title -> occupation ---------------------------------------------------------------------
        occupations = list(taxonomy.occupations.values())
        occupation_linker = service.occupations
        queries, qrels, deprecated = jobbert_set(args.eval / "jobbert_titles", set(taxonomy.occupations))
        if args.jobbert_limit:
            keep = list(queries)[: args.jobbert_limit]
            queries, qrels = {q: queries[q] for q in keep}, {q: qrels[q] for q in keep}
        occ_ids = [c.uri for c in occupations]
        base_scorer = CharTfidfBaseline([c.label("en") for c in occupations])
        base = evaluate(rank(base_scorer, queries, occ_ids), qrels, ks=(1, 5, 10))
        ours = evaluate(
            rank(linker_scorer(occupation_linker), queries, occupation_linker.ids), qrels, ks=(1, 5, 10)
        )
        name = f"JobBERT titles test ({len(queries)} titles; {deprecated} gold URIs not in v1.2.0 count as misses)"
        for metric, percent in (("MRR", False), ("Acc@1", True), ("Acc@5", True), ("Acc@10", True)):
            rows.append((name, metric, fmt(base[metric], percent), fmt(ours[metric], percent), ""))

        # Job title similarity --------------------------------------------------------------------------
        published_sim = {"en": {"MAP": "≈ 0.34", "MRR": "≈ 0.73"}}
        for lang in ("en", "de"):
            queries, corpus, qrels = title_similarity_set(args.eval / "jobtitle_similarity" / lang)
            doc_ids = list(corpus)
            base = evaluate(
                rank(CharTfidfBaseline(list(corpus.values())), queries, doc_ids, k=len(doc_ids)), qrels
            )
            ours_scorer = TitleSimilarity(list(corpus.values()), embedder, occupation_linker)
            ours = evaluate(rank(ours_scorer, queries, doc_ids, k=len(doc_ids)), qrels)
            for metric in ("MAP", "MRR"):
                rows.append((f"Title similarity {lang} ({base['queries']} queries × {len(doc_ids)} titles)", metric,
                             fmt(base[metric]), fmt(ours[metric]), published_sim.get(lang, {}).get(metric, "")))  # fmt: skip

    if public and not args.skills_only:
        # National job titles against English ESCO labels (MELO protocol) -----------------------------------
        linkers: dict = {}  # the Slavic sets share one corpus
        for folder, (language, published) in MELO_SETS.items():
            if not (args.eval / "melo_dev" / folder).is_dir():
                continue
            queries, qrels, concepts, isco_only = melo_set(args.eval / "melo_dev" / folder, taxonomy)
            key = (args.eval / "melo_dev" / folder / "corpus_elements.tsv").read_bytes()
            digest = hashlib.sha256(key).hexdigest()
            if digest not in linkers:
                linkers[digest] = linker(concepts, OCCUPATION_WEIGHTS)
            melo_linker = linkers[digest]
            ids = [c.uri for c in concepts]
            base = evaluate(rank(AllLabelsBaseline(concepts), queries, ids), qrels, ks=(1, 10))
            ours = evaluate(rank(linker_scorer(melo_linker), queries, melo_linker.ids), qrels, ks=(1, 10))
            name = f"MELO {folder}: {language} titles → English ESCO labels ({len(queries)} titles, {isco_only} with ISCO groups as gold)"
            for metric, percent in (("MRR", False), ("Acc@1", True), ("Acc@10", True)):
                rows.append((name, metric, fmt(base[metric], percent), fmt(ours[metric], percent),
                             published if metric == "MRR" else ""))  # fmt: skip

    # Latency of one query: a short job title, and a job-ad sentence for skills ------------------------
    if not titles:
        titles = [item.text for item in read_check_set("titles")]
        sentences = [item.text for item in read_check_set("skills")]
    latency = {}
    probes = [("occupation linking of a title", service.occupations, titles),
              ("skill linking of a title", service.skills, titles),
              ("skill linking of a job-ad sentence", service.skills, sentences)]  # fmt: skip
    if without is not None:  # read as written and as their gloss: no vocabulary name matches them
        cyrillic = [item.text for item in read_check_set("titles") if item.language in ("uk", "ru")]
        probes.insert(1, ("occupation linking of a Ukrainian or Russian title outside the vocabulary",
                          without.occupations, cyrillic))  # fmt: skip
    for label, linker, texts in probes:
        latency[label] = link_latency(linker, texts)

    table = []
    if rows:
        table += [
            "| data set | metric | char TF-IDF baseline (this run) | skillbridge | published |",
            "|---|---|---|---|---|",
            *(f"| {' | '.join(row)} |" for row in rows),
            "",
        ]
    if check_rows:
        table += [
            f"Multilingual check set (`data/linking_eval`, {args.split} split; baseline: character TF-IDF over every "
            "label of every language, vocabulary included):",
            "",
            "| data set | metric | char TF-IDF baseline | skillbridge without vocabulary or glossary "
            "| skillbridge without vocabulary | skillbridge |",
            "|---|---|---|---|---|---|",
            *(f"| {' | '.join(row)} |" for row in check_rows),
            "",
        ]
    table.append("Latency of one query (label embeddings cached; the service's linkers): "
                 + "; ".join(f"{k} p50 {v[0]:.1f} ms, p99 {v[1]:.1f} ms" for k, v in latency.items()))  # fmt: skip
    header = (
        f"# Linking benchmark\n\nRun on {dt.date.today()} with `{args.model}`"
        + (f" (English texts: `{english_model}`)" if english_model else "")
        + f" on {taxonomy.source} "
        f"({len(taxonomy.occupations)} occupations, {len(taxonomy.skills)} skills; vocabulary: "
        f"{report.labels_added} names from {', '.join(str(s) for s in sources) or 'none'}); "
        f"{time.perf_counter() - started:.0f} s in total.\n\n"
        "Published: CurriculumMatch (Bielinski & Brazier, 2025) on HOUSE test; WorkRB character TF-IDF "
        "regression values for English title similarity.\n\n"
    )
    text = header + "\n".join(table) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
