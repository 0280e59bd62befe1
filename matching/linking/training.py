"""Domain adaptation of the embedding model to a taxonomy: contrastive training on ESCO's own text.

Pairs come only from the taxonomy (alternative label → preferred label, description → preferred label, for
skills and occupations; for the multilingual e5 model also a label in another language → the preferred
label), never from evaluation data. The loss is multiple-negatives ranking: in a batch of (anchor, positive)
pairs every other positive is a negative. Batches never hold two pairs of one concept, so no true match is
ever pushed away. On two CPU cores one epoch over ~50,000 pairs takes about half an hour.

A sentence-transformers model is saved as a model folder. The packaged e5 model is trained through its torch
port (:mod:`matching.embedding.e5_torch`): its upper layers only (the token embeddings of the hundred languages
it reads stay as they are), then written back as a model file for the fast engine.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from matching.embedding.sbert import resolve_model_path
from matching.taxonomy import Taxonomy

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TrainingPair:
    concept: str
    anchor: str
    positive: str


def taxonomy_pairs(
    taxonomy: Taxonomy,
    language: str = "en",
    max_alt_per_concept: int = 3,
    seed: int = 13,
    other_languages: bool = False,
) -> list[TrainingPair]:
    """``other_languages``: alternative and preferred labels in the taxonomy's other languages are anchors too."""
    rng = random.Random(seed)
    pairs: list[TrainingPair] = []
    for concepts in (taxonomy.skills, taxonomy.occupations):
        for uri, concept in concepts.items():
            label = concept.labels.get(language)
            if not label:
                continue
            alts = list(concept.alt_labels.get(language, ()))
            if other_languages:
                alts += [text for lang, text in concept.all_labels() if lang != language and text != label]
            rng.shuffle(alts)
            pairs.extend(TrainingPair(uri, alt, label) for alt in alts[:max_alt_per_concept] if alt != label)
            description = concept.descriptions.get(language)
            if description:
                pairs.append(TrainingPair(uri, description, label))
    rng.shuffle(pairs)
    return pairs


def distinct_batches(pairs: list[TrainingPair], batch_size: int) -> list[list[TrainingPair]]:
    """Greedy batching in which no concept appears twice (so in-batch negatives are true negatives)."""
    batches: list[list[TrainingPair]] = []
    open_batches: list[tuple[set[str], list[TrainingPair]]] = []
    for pair in pairs:
        for seen, batch in open_batches:
            if pair.concept not in seen:
                seen.add(pair.concept)
                batch.append(pair)
                if len(batch) == batch_size:
                    batches.append(batch)
                    open_batches.remove((seen, batch))
                break
        else:
            open_batches.append(({pair.concept}, [pair]))
    batches.extend(batch for _, batch in open_batches if len(batch) > 1)
    return batches


def train(
    taxonomy: Taxonomy,
    output: Path,
    base_model: str,
    *,
    epochs: int = 1,
    batch_size: int = 64,
    learning_rate: float = 3e-5,
    max_pairs: int | None = None,
    max_seq_length: int = 48,
    language: str = "en",
    seed: int = 13,
    progress: Callable[[int, int, float], None] | None = None,
) -> Path:
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(seed)
    model = SentenceTransformer(resolve_model_path(base_model), device="cpu")
    model.max_seq_length = max_seq_length
    pairs = taxonomy_pairs(taxonomy, language, seed=seed)[:max_pairs]
    optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    scale = 20.0  # cosine similarities are multiplied by this before the softmax
    model.train()
    steps = 0
    batches_per_epoch = len(distinct_batches(pairs, batch_size))
    total = batches_per_epoch * epochs
    for epoch in range(epochs):
        random.Random(seed + epoch).shuffle(pairs)
        for batch in distinct_batches(pairs, batch_size):
            anchors = model.preprocess([p.anchor for p in batch])
            positives = model.preprocess([p.positive for p in batch])
            a = torch.nn.functional.normalize(model(anchors)["sentence_embedding"], dim=-1)
            b = torch.nn.functional.normalize(model(positives)["sentence_embedding"], dim=-1)
            logits = a @ b.T * scale
            labels = torch.arange(len(batch))
            loss = (
                torch.nn.functional.cross_entropy(logits, labels)
                + torch.nn.functional.cross_entropy(logits.T, labels)
            ) / 2
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            steps += 1
            if progress:
                progress(steps, total, float(loss.detach()))
    model.eval()
    output.mkdir(parents=True, exist_ok=True)
    model.save(str(output))
    log.info("Saved the adapted model to %s after %d steps on %d pairs.", output, steps, len(pairs))
    return output


def train_e5(
    taxonomy: Taxonomy,
    output: Path,
    weights: Path | None = None,
    *,
    epochs: int = 1,
    batch_size: int = 64,
    learning_rate: float = 3e-5,
    trained_layers: int = 6,
    max_pairs: int | None = None,
    language: str = "en",
    seed: int = 13,
    progress: Callable[[int, int, float], None] | None = None,
) -> Path:
    """Adapt the packaged e5 model (or the model file ``weights``) and write a model file to ``output``."""
    import torch

    from matching.embedding.e5 import E5Engine
    from matching.embedding.e5_format import read_model, write_model
    from matching.embedding.e5_torch import E5Tokenizer, batch, module_weights, torch_module

    torch.manual_seed(seed)
    model = read_model(weights or E5Engine.shared().weights)
    tokenizer, encoder = E5Tokenizer(model.vocabulary), torch_module(model)
    for parameter in encoder.parameters():
        parameter.requires_grad = False
    for layer in encoder.layers[len(encoder.layers) - trained_layers :]:
        for parameter in layer.parameters():
            parameter.requires_grad = True
    trained = [p for p in encoder.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trained, lr=learning_rate, weight_decay=0.01)
    pairs = taxonomy_pairs(taxonomy, language, seed=seed, other_languages=True)[:max_pairs]
    plan = []  # the batches of every epoch, so that progress knows the total
    for epoch in range(epochs):
        random.Random(seed + epoch).shuffle(pairs)
        plan.append(distinct_batches(pairs, batch_size))
    total = sum(len(batches) for batches in plan)
    steps = 0
    encoder.train()
    for batches in plan:
        for group in batches:
            anchors = encoder(*batch(tokenizer, [p.anchor for p in group], query=True))
            positives = encoder(*batch(tokenizer, [p.positive for p in group], query=False))
            logits = anchors @ positives.T * 20.0  # cosines scaled before the softmax
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(group)))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trained, 1.0)
            optimiser.step()
            steps += 1
            if progress:
                progress(steps, total, float(loss.detach()))
    encoder.eval()
    output.parent.mkdir(parents=True, exist_ok=True)
    write_model(module_weights(encoder, model), output)
    log.info("Wrote the adapted e5 model to %s after %d steps on %d pairs.", output, steps, len(pairs))
    return output
