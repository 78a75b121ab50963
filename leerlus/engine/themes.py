# SPDX-License-Identifier: EUPL-1.2
"""Themes without labels: discover them, name them, assign new items, keep them stable.

How a collection becomes themes (:func:`discover`):

1. Exact duplicates after masking (:func:`~leerlus.engine.text.fingerprint`) are folded into
   one item with a count, so a template text or a copy-paste campaign costs one item.
2. Features: :class:`~leerlus.engine.text.TextFeatures` (folded stems, stem bigrams,
   character n-grams of words), fitted on at most ``fit_size`` distinct texts.
3. LSA: a truncated SVD to ``dimensions`` and L2-normalised rows: cosine geometry in which
   "vergunning" and "omgevingsvergunningaanvraag" are neighbours.
4. Over-cluster with k-means into sqrt(n) / 2 groups, then merge groups (average linkage)
   that are as close as the closest quarter of neighbouring groups. The number of themes
   comes from the data; there is no k.
5. A few rounds of spherical k-means polish the borders; themes smaller than
   ``min_theme_size`` dissolve into their neighbours.
6. An item whose cosine to every theme is below ``min_similarity`` stays unassigned
   (theme ``-1``): it shares too little with any theme to say which it belongs to.
7. Labels: class-based TF-IDF over the themes' word and bigram features, shown as the most
   frequent surface word of each stem (stems are never shown); examples are the items
   nearest to the centroid.

Stability and steering: pass the previous :class:`ThemeModel` and the analyst's
:class:`Curation` to :func:`discover`. The previous themes are the starting centroids (in the
new feature space, from the items the previous model assigns to them), so each keeps its id
(and an analyst's name) while new themes are found only among items no old theme fits. The
curation is applied on every run and is idempotent: a merge of themes that are already one,
or a split of a theme that no longer exists, changes nothing.

Persisting: :meth:`ThemeModel.to_json` / :meth:`ThemeModel.from_json` (numbers as base64 of
little-endian float16/float32 arrays). :func:`assign` places new items with a stored model
without refitting (thousands of items a second).

The steps live beside this module: :mod:`~leerlus.engine.themes_clustering` (3-6),
:mod:`~leerlus.engine.themes_curation` (the analyst's decisions) and
:mod:`~leerlus.engine.themes_labels` (7).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from leerlus.engine.text import TextFeatures, fingerprint
from leerlus.engine.themes_clustering import (
    UNASSIGNED,
    cluster,
    combine,
    loose_threshold,
    lsa,
    nearest,
    polish,
    seeded_centres,
    unit,
)
from leerlus.engine.themes_curation import curate
from leerlus.engine.themes_labels import excerpt, key_terms_of, label_of, label_sample

__all__ = [
    "UNASSIGNED",
    "Curation",
    "Discovery",
    "Theme",
    "ThemeModel",
    "ThemeSettings",
    "assign",
    "discover",
]

FORMAT_VERSION: Final = 1

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ThemeSettings:
    """Knobs with defaults that suit short and long feedback texts alike.

    ``min_similarity``: the cosine (in LSA space) below which an item is left unassigned.
    ``stickiness``: on a re-run an item keeps its earlier theme unless another theme is more
    similar by more than this. ``granularity``: the first, small groups number
    ``granularity`` times the square root of the number of texts. ``merge_factor`` scales
    the similarity two groups need to merge (lower: fewer, broader themes).
    """

    dimensions: int = 128
    fit_size: int = 40_000
    min_theme_size: int = 0  # 0: max(5, 0.2% of the items), at most 200
    min_similarity: float = 0.15
    merge_factor: float = 1.0
    granularity: float = 0.5
    stickiness: float = 0.05
    examples: int = 5
    key_terms: int = 10
    seed: int = 0


@dataclass
class Curation:
    """What an analyst decided; honoured on every later run.

    ``names``: theme id → the name shown instead of the generated label (rename).
    ``merges``: groups of theme ids; the first id keeps the merged theme.
    ``splits``: theme id → number of parts (0: let the data decide, at least 2).
    ``pinned``: theme ids that are never dissolved or merged away by the engine and keep
    their label. ``hidden``: theme ids left out of overviews (their items stay assigned).
    ``moves``: item id → theme id (``-1``: unassigned), an example moved by hand.
    """

    names: dict[int, str] = field(default_factory=dict)
    merges: list[list[int]] = field(default_factory=list)
    splits: dict[int, int] = field(default_factory=dict)
    pinned: set[int] = field(default_factory=set)
    hidden: set[int] = field(default_factory=set)
    moves: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "names": {str(k): v for k, v in self.names.items()},
            "merges": [list(g) for g in self.merges],
            "splits": {str(k): v for k, v in self.splits.items()},
            "pinned": sorted(self.pinned),
            "hidden": sorted(self.hidden),
            "moves": dict(self.moves),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Curation:
        return cls(
            names={int(k): str(v) for k, v in data.get("names", {}).items()},
            merges=[[int(x) for x in g] for g in data.get("merges", [])],
            splits={int(k): int(v) for k, v in data.get("splits", {}).items()},
            pinned={int(x) for x in data.get("pinned", [])},
            hidden={int(x) for x in data.get("hidden", [])},
            moves={str(k): int(v) for k, v in data.get("moves", {}).items()},
        )


@dataclass
class Theme:
    """One theme: a stable id, its label and key terms, its size and examples."""

    id: int
    label: str
    key_terms: list[str]
    size: int
    examples: list[str]
    example_ids: list[str] = field(default_factory=list)
    name: str = ""
    pinned: bool = False
    hidden: bool = False
    split_from: int | None = None

    @property
    def title(self) -> str:
        """The analyst's name when there is one, else the generated label."""
        return self.name or self.label

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "name": self.name,
            "key_terms": self.key_terms,
            "size": self.size,
            "examples": self.examples,
            "example_ids": self.example_ids,
            "pinned": self.pinned,
            "hidden": self.hidden,
            "split_from": self.split_from,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Theme:
        return cls(
            id=int(data["id"]),
            label=str(data["label"]),
            key_terms=list(data.get("key_terms", [])),
            size=int(data.get("size", 0)),
            examples=list(data.get("examples", [])),
            example_ids=list(data.get("example_ids", [])),
            name=str(data.get("name", "")),
            pinned=bool(data.get("pinned", False)),
            hidden=bool(data.get("hidden", False)),
            split_from=data.get("split_from"),
        )


def _encode(array: np.ndarray, dtype: str) -> dict[str, Any]:
    data = np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<"))
    return {
        "dtype": dtype,
        "shape": list(array.shape),
        "base64": base64.b64encode(data.tobytes()).decode("ascii"),
    }


def _decode(data: dict[str, Any]) -> np.ndarray:
    raw = base64.b64decode(data["base64"])
    array = np.frombuffer(raw, dtype=np.dtype(data["dtype"]).newbyteorder("<"))
    return array.reshape(data["shape"]).astype(np.float32)


@dataclass
class ThemeModel:
    """Everything needed to assign new items to the themes, JSON-serialisable.

    ``components`` (dimensions by features) project feature rows into LSA space;
    ``centroids`` (themes by dimensions) are the unit-length theme centres, in the order of
    ``themes``.
    """

    features: TextFeatures
    components: np.ndarray
    centroids: np.ndarray
    themes: list[Theme]
    settings: ThemeSettings = field(default_factory=ThemeSettings)
    next_id: int = 0
    embedding_dim: int = 0
    embedding_weight: float = 0.0

    def theme(self, theme_id: int) -> Theme | None:
        return next((t for t in self.themes if t.id == theme_id), None)

    def embed(
        self,
        texts: Sequence[str],
        *,
        embeddings: np.ndarray | None = None,
        chunk: int = 20_000,
    ) -> np.ndarray:
        """Unit vectors of ``texts`` in the themes' space (zero for a text with no known
        feature). A model built with embeddings takes the texts' cached ``embeddings`` too;
        without them it compares on the text features alone."""
        parts = []
        for start in range(0, len(texts), chunk):
            matrix = self.features.transform(texts[start : start + chunk])
            lsa = unit(np.asarray(matrix @ self.components.T, dtype=np.float32))
            part = None if embeddings is None else embeddings[start : start + chunk]
            parts.append(combine(lsa, part, self.embedding_dim, self.embedding_weight))
        if not parts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.vstack(parts)

    @property
    def dimensions(self) -> int:
        return int(self.components.shape[0] + self.embedding_dim)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "settings": self.settings.__dict__,
            "next_id": self.next_id,
            "embedding_dim": self.embedding_dim,
            "embedding_weight": self.embedding_weight,
            "themes": [t.to_dict() for t in self.themes],
            "features": self.features.to_dict(),
            "components": _encode(self.components, "float16"),
            "centroids": _encode(self.centroids, "float32"),
        }

    def to_json(self) -> str:
        import json

        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ThemeModel:
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"unknown theme model format {data.get('format')!r}")
        return cls(
            features=TextFeatures.from_dict(data["features"]),
            components=_decode(data["components"]),
            centroids=_decode(data["centroids"]),
            themes=[Theme.from_dict(t) for t in data["themes"]],
            settings=ThemeSettings(**data.get("settings", {})),
            next_id=int(data.get("next_id", 0)),
            embedding_dim=int(data.get("embedding_dim", 0)),
            embedding_weight=float(data.get("embedding_weight", 0.0)),
        )

    @classmethod
    def from_json(cls, text: str) -> ThemeModel:
        import json

        return cls.from_dict(json.loads(text))


@dataclass
class Discovery:
    """The result of :func:`discover`.

    ``assignments``: theme id per input item (``-1`` unassigned); ``similarity``: the
    item's cosine to its theme's centre; ``retained_share``: with a previous model, the
    share of items the previous model placed in a theme that are still in that theme.
    """

    model: ThemeModel
    assignments: np.ndarray
    similarity: np.ndarray
    retained_share: float | None = None

    @property
    def unassigned_share(self) -> float:
        n = len(self.assignments)
        return float(np.sum(self.assignments == UNASSIGNED) / n) if n else 0.0


# --- the public operations -----------------------------------------------------------------


def assign(
    model: ThemeModel,
    texts: Sequence[str],
    *,
    embeddings: np.ndarray | None = None,
    min_similarity: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Theme id and cosine to its centre for each text; ``-1`` where no theme fits.

    Items that fit no theme (``-1``) are the candidates for a new theme. ``embeddings``:
    the texts' cached embeddings when the model was built with them.
    """
    threshold = model.settings.min_similarity if min_similarity is None else min_similarity
    ids = np.array([t.id for t in model.themes], dtype=np.int64)
    result = np.full(len(texts), UNASSIGNED, dtype=np.int64)
    similarity = np.zeros(len(texts), dtype=np.float32)
    if len(ids) == 0 or len(texts) == 0:
        return result, similarity
    vectors = model.embed(texts, embeddings=embeddings)
    best, sim = nearest(vectors, model.centroids)
    fits = sim >= threshold
    result[fits] = ids[best[fits]]
    similarity[:] = sim
    return result, similarity


def discover(
    texts: Sequence[str],
    *,
    ids: Sequence[str] | None = None,
    previous: ThemeModel | None = None,
    curation: Curation | None = None,
    settings: ThemeSettings | None = None,
    embeddings: np.ndarray | None = None,
    embedding_weight: float = 0.5,
    progress: Progress | None = None,
) -> Discovery:
    """Find the themes of ``texts`` (and keep those of ``previous``); see the module doc.

    ``ids`` name the items for :attr:`Curation.moves` and for the examples (default: the
    position as a string). ``embeddings`` (one row per text, e.g. computed once per item at
    intake by :mod:`leerlus.engine.embeddings`) join the text features with
    ``embedding_weight``; without them the engine needs no model at all.
    """
    settings = settings or (previous.settings if previous else ThemeSettings())
    curation = curation or Curation()
    say = progress or (lambda _message: None)
    n_items = len(texts)
    item_ids = list(ids) if ids is not None else [str(i) for i in range(n_items)]
    if len(item_ids) != n_items:
        raise ValueError("ids and texts differ in length")
    rng = np.random.default_rng(settings.seed)

    # 1. fold exact duplicates
    keys: dict[str, int] = {}
    inverse = np.empty(n_items, dtype=np.int64)
    first_of: list[int] = []
    for i, text in enumerate(texts):
        key = fingerprint(text)
        slot = keys.get(key)
        if slot is None:
            slot = len(first_of)
            keys[key] = slot
            first_of.append(i)
        inverse[i] = slot
    unique_texts = [texts[i] for i in first_of]
    counts = np.bincount(inverse, minlength=len(first_of)).astype(np.float64)
    n_unique = len(unique_texts)
    say(f"{n_items:,} items, {n_unique:,} distinct texts")

    # 2-3. features and LSA on (a sample of) the distinct texts
    if n_unique > settings.fit_size:
        fit_rows = np.sort(rng.choice(n_unique, settings.fit_size, replace=False))
    else:
        fit_rows = np.arange(n_unique)
    fit_texts = [unique_texts[i] for i in fit_rows]
    features = TextFeatures()
    matrix = features.fit_transform(fit_texts)
    say(f"features: {matrix.shape[1]:,} on {len(fit_texts):,} texts")
    components = lsa(matrix, settings, rng)
    if embeddings is not None:
        if len(embeddings) != n_items:
            raise ValueError("embeddings and texts differ in length")
        embeddings = unit(np.asarray(embeddings, dtype=np.float32))
        unique_embeddings: np.ndarray | None = embeddings[np.array(first_of, dtype=np.int64)]
        embedding_dim, weight = int(embeddings.shape[1]), embedding_weight
    else:
        unique_embeddings, embedding_dim, weight = None, 0, 0.0
    fit_vectors = combine(
        unit(np.asarray(matrix @ components.T, dtype=np.float32)),
        None if unique_embeddings is None else unique_embeddings[fit_rows],
        embedding_dim,
        weight,
    )
    weights = np.sqrt(counts[fit_rows])
    min_size = settings.min_theme_size or int(min(200, max(5, 0.002 * n_items)))

    # 4-5. themes on the fitted texts
    next_id = previous.next_id if previous else 0
    theme_ids: list[int] = []
    incumbent: np.ndarray | None = None
    if previous is not None and previous.themes:
        old, _ = assign(
            previous,
            fit_texts,
            embeddings=None if unique_embeddings is None else unique_embeddings[fit_rows],
        )
        incumbent = old
        centres, theme_ids = seeded_centres(fit_vectors, old, weights, previous, min_size)
        fits = nearest(fit_vectors, centres)[1] if len(centres) else np.zeros(len(fit_rows))
        loose = np.flatnonzero(fits < loose_threshold(fits, settings))
        if len(loose) >= 2 * min_size:
            extra = cluster(fit_vectors[loose], weights[loose], settings, rng, min_size)
            if len(extra):
                centres = np.vstack([centres, extra]) if len(centres) else extra
                theme_ids += list(range(next_id, next_id + len(extra)))
                next_id += len(extra)
        say(f"{len(theme_ids):,} themes after matching {len(previous.themes):,} earlier ones")
    else:
        centres = cluster(fit_vectors, weights, settings, rng, min_size)
        theme_ids = list(range(next_id, next_id + len(centres)))
        next_id += len(centres)
        say(f"{len(theme_ids):,} themes found")
    protected = set(curation.pinned) | (
        {t.id for t in previous.themes if t.pinned} if previous else set()
    )
    labels, centres, theme_ids = polish(
        fit_vectors, weights, centres, theme_ids, settings, min_size, protected, incumbent
    )

    # 6. every distinct text: the fitted ones are known, the rest are projected in chunks
    unique_theme = np.full(n_unique, UNASSIGNED, dtype=np.int64)
    unique_sim = np.zeros(n_unique, dtype=np.float32)
    unique_theme[fit_rows] = labels
    ids_array = np.array(theme_ids, dtype=np.int64)
    if len(fit_rows) < n_unique:
        rest = np.setdiff1d(np.arange(n_unique), fit_rows)
        chunk = 20_000
        for start in range(0, len(rest), chunk):
            rows = rest[start : start + chunk]
            vectors = combine(
                unit(
                    np.asarray(
                        features.transform([unique_texts[i] for i in rows]) @ components.T,
                        dtype=np.float32,
                    )
                ),
                None if unique_embeddings is None else unique_embeddings[rows],
                embedding_dim,
                weight,
            )
            best, sim = nearest(vectors, centres)
            unique_theme[rows] = np.where(sim >= settings.min_similarity, ids_array[best], -1)
            unique_sim[rows] = sim
            say(f"assigned {min(start + chunk, len(rest)):,} of {len(rest):,} further texts")
    if len(centres):
        _, fit_sim = nearest(fit_vectors, centres)
        unique_sim[fit_rows] = fit_sim
    assignments = unique_theme[inverse]
    similarity = unique_sim[inverse]

    # analyst's curation, applied to the items and then to the centres
    model = ThemeModel(
        features=features,
        components=components.astype(np.float32),
        centroids=np.zeros((0, components.shape[0] + embedding_dim), dtype=np.float32),
        themes=[],
        settings=settings,
        next_id=next_id,
        embedding_dim=embedding_dim,
        embedding_weight=weight,
    )
    position = {item_id: i for i, item_id in enumerate(item_ids)}
    split_from: dict[int, int] = {}
    assignments, next_id = curate(
        assignments, texts, embeddings, curation, position, model, split_from, next_id, rng
    )
    model.next_id = next_id
    _finish(model, texts, embeddings, item_ids, assignments, curation, previous, split_from)

    retained: float | None = None
    if previous is not None and previous.themes:
        before, _ = assign(previous, texts, embeddings=embeddings)
        placed = before != UNASSIGNED
        retained = float(np.mean(assignments[placed] == before[placed])) if placed.any() else 1.0
    return Discovery(
        model=model, assignments=assignments, similarity=similarity, retained_share=retained
    )


# --- the themes of a run -------------------------------------------------------------------


def _finish(
    model: ThemeModel,
    texts: Sequence[str],
    embeddings: np.ndarray | None,
    item_ids: list[str],
    assignments: np.ndarray,
    curation: Curation,
    previous: ThemeModel | None,
    split_from: dict[int, int],
) -> None:
    """Centres, labels, key terms, examples and flags of the curated themes."""
    settings = model.settings
    theme_ids = sorted(set(np.unique(assignments).tolist()) - {UNASSIGNED})
    pinned_before = {t.id: t for t in previous.themes if t.pinned} if previous else {}
    for theme_id in sorted((curation.pinned | set(pinned_before)) - set(theme_ids)):
        theme_ids.append(theme_id)  # a pinned theme stays, even when it is empty this time
    # Centres and labels are computed on a bounded sample of each theme's distinct texts.
    rng = np.random.default_rng(settings.seed + 1)
    sample_rows, sample_theme = label_sample(texts, assignments, theme_ids, rng)
    sample_texts = [texts[i] for i in sample_rows]
    matrix = model.features.transform(sample_texts)
    vectors = combine(
        unit(np.asarray(matrix @ model.components.T, dtype=np.float32)),
        None if embeddings is None else embeddings[np.array(sample_rows, dtype=np.int64)],
        model.embedding_dim,
        model.embedding_weight,
    )
    owner = np.array(sample_theme, dtype=np.int64)
    column = {t: j for j, t in enumerate(theme_ids)}
    owner_col = np.array([column[t] for t in owner.tolist()], dtype=np.int64)
    sums = np.zeros((len(theme_ids), model.dimensions), dtype=np.float64)
    if len(owner_col):
        np.add.at(sums, owner_col, vectors)
    centroids = unit(sums)
    terms = key_terms_of(model.features, matrix, owner_col, len(theme_ids), settings.key_terms)
    sizes = np.bincount(
        np.array([column[t] for t in assignments.tolist() if t in column], dtype=np.int64),
        minlength=len(theme_ids),
    )
    themes: list[Theme] = []
    for j, theme_id in enumerate(theme_ids):
        rows = np.flatnonzero(owner_col == j)
        order = rows[np.argsort(-(vectors[rows] @ centroids[j]))] if len(rows) else rows
        chosen = [sample_rows[r] for r in order[: settings.examples]]
        before = previous.theme(theme_id) if previous else None
        pinned = theme_id in curation.pinned or (before is not None and before.pinned)
        label = label_of(terms[j]) if terms[j] else "(no words)"
        if pinned and before is not None:
            label = before.label
        themes.append(
            Theme(
                id=theme_id,
                label=label,
                key_terms=terms[j],
                size=int(sizes[j]),
                examples=[excerpt(texts[i]) for i in chosen],
                example_ids=[item_ids[i] for i in chosen],
                name=curation.names.get(theme_id, before.name if before else ""),
                pinned=pinned,
                hidden=theme_id in curation.hidden or (before is not None and before.hidden),
                split_from=split_from.get(theme_id, before.split_from if before else None),
            )
        )
    model.themes = themes
    model.centroids = centroids.astype(np.float32)
