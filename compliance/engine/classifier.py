"""The statistical second opinion: a linear clause classifier over hashed character n-grams.  No Django.

Where rules stop generalising (free-phrased abuse, refusals, rewards for reviews, trading off the
platform) a clause is scored by a logistic model per category.  The model is a small `.npz` file written
by `compliance/engine/model/build.py` (scikit-learn, fixed seed) and read here with numpy alone: the
weights sit in a dense table indexed by the n-gram hash, so scoring a batch is a handful of vectorised
operations (hash, gather, bincount) and no per-clause Python.

Features of a clause (the *unit*): its characters in the matching view N (simplified, lower case, noise
removed, digits folded to 0), as hashed 1-, 2- and 3-grams that do not cross the clause; the feature
vector is scaled by 1/sqrt(its length), the same in training (`unit_features`) and scoring.  The raw
score is Platt-calibrated into a probability (`confidence` on the hit), and a category fires above its
threshold, tuned on the development split by the build script.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

MODEL_PATH = Path(__file__).resolve().parent / "model" / "clause_model.npz"
_M1, _M2, _M3, _MIX = np.uint64(0x9E3779B1), np.uint64(0x85EBCA77), np.uint64(0xC2B2AE3D), np.uint64(0x27D4EB2F)
MIN_UNIT = 3  # clauses shorter than this (in N) are not scored


_MULTIPLIERS = (_M1, _M2, _M3, np.uint64(0x165667B1), np.uint64(0xD3A2646C))
DEFAULT_ORDER = 3  # n-grams up to this length (models written before `order` was stored use 3)


def unit_features(
    values: np.ndarray, units: np.ndarray, bits: int, order: int = DEFAULT_ORDER
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unit of each feature, hash bucket of each feature, length of every unit) for N's code points
    `values` and their non-decreasing unit ids `units` (one per character); n-grams of 1..`order`
    characters that do not cross a unit."""
    v = values.astype(np.uint64)
    digit = (values - 48) < 10
    v[digit] = 48
    n = len(v)
    mask = np.uint64((1 << bits) - 1)
    shift = np.uint64(64 - bits)
    feats_u = [units]
    feats_h = [((v * _M1 + np.uint64(1)) * _MIX >> shift) & mask]
    for g in range(2, order + 1):
        if n < g:
            break
        same = units[g - 1:] == units[: n - g + 1]
        h = v[: n - g + 1] * _M1
        for j in range(1, g):
            h = h ^ (v[j: n - g + 1 + j] * _MULTIPLIERS[j])
        h = h + np.uint64(g)
        feats_u.append(units[: n - g + 1][same])
        feats_h.append(((h[same] * _MIX) >> shift) & mask)
    size = int(units[-1]) + 1 if n else 0
    lengths = np.bincount(units, minlength=size) if n else np.zeros(0, dtype=np.int64)
    return np.concatenate(feats_u), np.concatenate(feats_h).astype(np.int64), lengths


@dataclass
class ClauseModel:
    categories: tuple[str, ...]
    bits: int
    weights: np.ndarray  # (2**bits, K) float32
    bias: np.ndarray  # (K,)
    platt_a: np.ndarray  # (K,)
    platt_b: np.ndarray  # (K,)
    thresholds: np.ndarray  # (K,)
    digest: str
    meta: dict[str, Any] = field(default_factory=dict)
    unit: str = "clause"  # what is scored: a clause (cut at commas too) or a sentence
    order: int = DEFAULT_ORDER  # character n-grams up to this length

    @classmethod
    def from_bytes(cls, data: bytes) -> ClauseModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            bits = int(npz["bits"])
            rows = npz["rows"].astype(np.int64)
            k = int(npz["bias"].shape[0])
            weights = np.zeros((1 << bits, k), dtype=np.float32)
            weights[rows] = npz["weights"].astype(np.float32)
            return cls(
                categories=tuple(str(c) for c in npz["categories"].tolist()),
                bits=bits,
                weights=weights,
                bias=npz["bias"].astype(np.float64),
                platt_a=npz["platt_a"].astype(np.float64),
                platt_b=npz["platt_b"].astype(np.float64),
                thresholds=npz["thresholds"].astype(np.float64),
                digest=hashlib.sha256(data).hexdigest(),
                meta=json.loads(str(npz["meta"])),
                unit=str(npz["unit"]) if "unit" in npz.files else "clause",
                order=int(npz["order"]) if "order" in npz.files else DEFAULT_ORDER,
            )

    @classmethod
    def load(cls, path: Path | str | None = None) -> ClauseModel:
        return cls.from_bytes(Path(path or MODEL_PATH).read_bytes())

    def raw_scores(self, values: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(length of every unit, raw linear score per unit and category) — units numbered 0..max."""
        unit_of, buckets, lengths = unit_features(values, units, self.bits, self.order)
        size = len(lengths)
        scores = np.empty((size, len(self.categories)), dtype=np.float64)
        if not size:
            return lengths, scores
        gathered = self.weights[buckets]
        for k in range(len(self.categories)):
            scores[:, k] = np.bincount(unit_of, weights=gathered[:, k], minlength=size)
        # every unit has at least one feature per character, so its unigram count is its length
        scale = 1.0 / np.sqrt(np.maximum(_feature_counts(lengths, self.order), 1))
        scores *= scale[:, None]
        scores += self.bias[None, :]
        return lengths, scores

    def probabilities(self, raw: np.ndarray) -> np.ndarray:
        z = raw * self.platt_a[None, :] + self.platt_b[None, :]
        out: np.ndarray = 1.0 / (1.0 + np.exp(-z))
        return out


def _feature_counts(lengths: np.ndarray, order: int = DEFAULT_ORDER) -> np.ndarray:
    """Features of a unit of length n: n unigrams, n-1 bigrams, n-2 trigrams … up to `order`."""
    n = lengths.astype(np.float64)
    out: np.ndarray = n.copy()
    for g in range(2, order + 1):
        out += np.maximum(n - (g - 1), 0)
    return out


_loaded: dict[str, ClauseModel] = {}


def model_from_bytes(data: bytes) -> ClauseModel:
    """One parsed model per content (several rule-set versions usually share one)."""
    key = hashlib.sha256(data).hexdigest()
    model = _loaded.get(key)
    if model is None:
        model = _loaded[key] = ClauseModel.from_bytes(data)
    return model


def shipped_model_bytes() -> bytes | None:
    return MODEL_PATH.read_bytes() if MODEL_PATH.exists() else None
