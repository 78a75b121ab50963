# SPDX-License-Identifier: EUPL-1.2
"""The router's plain word block: word unigrams and bigrams with function words kept.

The engine's :class:`~leerlus.engine.text.TextFeatures` drop function words; for routing
they matter ("how do I", "waarom niet" carry the intent of a short question), so the router
adds this TF-IDF block (sublinear term frequency, L2-normalised rows) beside them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]  # scipy ships no stubs

from leerlus.engine.text import words

__all__ = ["WordBlock"]


@dataclass
class WordBlock:
    """TF-IDF over word unigrams and bigrams with function words kept (sublinear tf, L2)."""

    vocabulary: dict[str, int] = field(default_factory=dict)
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @staticmethod
    def _grams(text: str) -> list[str]:
        tokens = words(text)
        return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]

    def fit_transform(self, texts: Sequence[str], min_df: int, max_features: int) -> sp.csr_matrix:
        grams = [self._grams(t) for t in texts]
        df: Counter[str] = Counter()
        for g in grams:
            df.update(set(g))
        floor = min_df if len(texts) >= 20 else 1
        kept = [f for f, c in df.items() if c >= floor]
        if len(kept) > max_features:
            kept.sort(key=lambda f: (-df[f], f))
            kept = kept[:max_features]
        kept.sort()
        self.vocabulary = {f: i for i, f in enumerate(kept)}
        n = len(texts)
        self.idf = np.log((1.0 + n) / (1.0 + np.array([df[f] for f in kept], dtype=np.float64)))
        self.idf += 1.0
        return self._matrix(grams)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self._matrix([self._grams(t) for t in texts])

    def _matrix(self, grams: list[list[str]]) -> sp.csr_matrix:
        vocab = self.vocabulary
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for g in grams:
            row = Counter(vocab[x] for x in g if x in vocab)
            indices.extend(row.keys())
            data.extend(1.0 + math.log(v) for v in row.values())
            indptr.append(len(indices))
        m = sp.csr_matrix(
            (np.asarray(data), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
            shape=(len(grams), len(vocab)),
        )
        m = sp.csr_matrix(m @ sp.diags(self.idf))
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ m, dtype=np.float32)
