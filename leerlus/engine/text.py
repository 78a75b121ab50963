# SPDX-License-Identifier: EUPL-1.2
"""Text handling for the engine: normalising, masking, Dutch-aware tokens and features.

Stable API (other engine modules and the Django side import these names):

``normalise(text)``
    Unicode NFKC, typographic quotes and dashes made plain, whitespace collapsed. Keeps case
    and diacritics, so the result can still be shown to a person.
``mask(text)``
    Replaces URLs, e-mail addresses and numbers by the placeholders ``[URL]``, ``[EMAIL]`` and
    ``[NUMBER]``; placeholders the redaction step left (``[BSN]``, ``[TELEFOON]``, ...) stay as
    they are. Idempotent: ``mask(mask(t)) == mask(t)``.
``words(text)``
    The surface words of a text, lowercased, after normalising and masking; placeholders are
    left out (they say nothing about the topic). These are the words shown to people.
``fold(word)``
    A word without diacritics (``financiële`` → ``financiele``), the key features are built on.
``stem_words(words, language)``
    Snowball stems (PyStemmer) for ``"nl"`` or ``"en"``. Stems are features only and are never
    shown to users; :class:`TextFeatures` maps each back to its most frequent surface word.
``content_words(text, language)``
    ``words`` without the language's function words (:data:`STOPWORDS`).
``char_ngrams(word, sizes)``
    Character n-grams of one word with boundary marks, so compounds such as
    "omgevingsvergunningaanvraag" share features with "vergunning".
``fingerprint(text)``
    A key that is equal for texts that differ only in case, punctuation, whitespace, numbers,
    URLs or personal data: exact duplicates after masking.
``near_duplicates(texts, threshold=0.8)``
    For each text the index of the first text of its near-duplicate group (itself when it has
    none): app template texts and copy-paste campaigns.
``TextFeatures``
    Fits a sparse TF-IDF representation (word stems + word bigrams + character n-grams of
    words, sublinear tf, rows L2-normalised) on a collection and transforms new texts with the
    same vocabulary. ``feature_names``, ``surface(feature)`` and ``to_dict``/``from_dict``.
``detect_language(text)`` / ``language_mix(text)`` / ``dominant_language(texts)``
    Re-exported from :mod:`leerlus.engine.language`.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]  # scipy ships no stubs
import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no stubs

from leerlus.engine.language import detect_language, dominant_language, language_mix

__all__ = [
    "LANGUAGES",
    "PLACEHOLDER",
    "STOPWORDS",
    "TextFeatures",
    "char_ngrams",
    "content_words",
    "detect_language",
    "dominant_language",
    "fingerprint",
    "fold",
    "language_mix",
    "mask",
    "near_duplicates",
    "normalise",
    "stem_words",
    "words",
]

LANGUAGES: Final = ("nl", "en")

# --- normalising and masking ---------------------------------------------------------------

_TRANSLATE: Final = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
        "\u200c": None,
        "\u200d": None,
        "\ufeff": None,
    }
)
_SPACE: Final = re.compile(r"\s+")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise(text: str) -> str:
    """NFKC, plain quotes and dashes, no control characters, single spaces; case is kept."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = _CONTROL.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


# A placeholder is an upper-case word in square brackets, as the redaction step writes them.
PLACEHOLDER: Final = re.compile(r"\[[A-Z][A-Z_]*\]")
_URL: Final = re.compile(r"(?:https?://|www\.)[^\s<>\"'\]\[]+", re.IGNORECASE)
_EMAIL: Final = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Digits with separators between them and attached letters ("12a", "3.500", "06-12345678").
_NUMBER: Final = re.compile(r"\w*\d(?:[\d.,:/-]*\d)?\w*")


def mask(text: str) -> str:
    """Replace URLs, e-mail addresses and numbers by ``[URL]``, ``[EMAIL]``, ``[NUMBER]``.

    Redaction placeholders (``[BSN]``, ``[TELEFOON]``, ...) are kept as they are. The result
    holds no digits, so masking twice changes nothing.
    """
    text = _URL.sub("[URL]", text)
    text = _EMAIL.sub("[EMAIL]", text)
    return _NUMBER.sub("[NUMBER]", text)


# --- words -----------------------------------------------------------------------------------

# Letters with inner apostrophes or hyphens kept ("e-mail", "zo'n"); digits were masked away.
_WORD: Final = re.compile(r"\[[A-Z][A-Z_]*\]|[^\W\d_]+(?:['-][^\W\d_]+)*")


def words(text: str) -> list[str]:
    """Lowercased surface words after normalising and masking; placeholders left out."""
    cleaned = mask(normalise(text))
    return [w.lower() for w in _WORD.findall(cleaned) if not w.startswith("[")]


_FOLD_CACHE: dict[str, str] = {}


def fold(word: str) -> str:
    """The word without diacritics: ``"financiële"`` → ``"financiele"``."""
    folded = _FOLD_CACHE.get(word)
    if folded is None:
        decomposed = unicodedata.normalize("NFKD", word)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
        if len(_FOLD_CACHE) < 1_000_000:
            _FOLD_CACHE[word] = folded
    return folded


_STEMMERS: dict[str, Any] = {}


def _stemmer(language: str) -> Any:
    language = language if language in LANGUAGES else "nl"
    if language not in _STEMMERS:
        _STEMMERS[language] = Stemmer.Stemmer("dutch" if language == "nl" else "english")
    return _STEMMERS[language]


def stem_words(words: Sequence[str], language: str) -> list[str]:
    """Snowball stems of lowercased words; Dutch when the language is unknown."""
    return list(_stemmer(language).stemWords(list(words)))


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS: Final[dict[str, frozenset[str]]] = {
    "nl": _word_set(
        """aan aangaande aangezien achter af afgelopen al aldaar aldus alhoewel alle allebei
        alleen alles als alsnog altijd andere anders ben bent bij binnen boven bovendien
        buiten dan dat de deze die dit doch doen doet door dus echter een eens eigen elk elke
        en enige enkel enkele er erg ermee ernaar erop ervan even gaat gedaan geen gehad
        geweest gewoon graag haar had hadden heb hebben hebt heeft hem hen het hier hij hoe
        hoewel hun ik in is ja je jij jou jouw jullie kan kon konden kun kunnen kunt laat
        maar me meer men met mij mijn moet moeten mogen na naar naast net niet niets nog nou
        nu of ofschoon om omdat ons onze ook op over pas per reeds rond sinds sommige te tegen
        ten ter tot tussen u uit uw van veel via voor vooral vrij waar waarom wanneer want
        waren was wat we wel welk welke werd werden wie wij wil wilde wilt word worden wordt
        zal ze zei zelf zich zij zijn zo zoals zodat zonder zou zouden zulke zullen zult
        dank bedankt hallo beste geachte groet groeten vriendelijke mvg alstublieft aub ajb
        goedemorgen goedemiddag goedenavond heel zeer echt weer steeds even nogmaals toch
        iets iemand elkaar daar daarom daardoor daarna daarvan hierbij hiervan waarbij zeg
        zit zitten staat mag moest kreeg krijg krijgen gaan ga doe deed vind vindt"""
    ),
    "en": _word_set(
        """a about above after again against all also am an and any are as at be because been
        before being below between both but by can could did do does doing down during each
        few for from further had has have having he her here hers herself him himself his how
        i if in into is it its itself just me more most my myself no nor not now of off on
        once only or other our ours ourselves out over own same she should so some such than
        that the their theirs them themselves then there these they this those through to too
        under until up very was we were what when where which while who whom why will with
        would you your yours yourself yourselves im ive dont didnt cant wont doesnt isnt
        wasnt arent havent hasnt hadnt couldnt wouldnt shouldnt ill youre thats theres
        hello hi dear thanks thank please regards kind get got getting go going went may
        might must us let also still even really would could"""
    ),
}


def content_words(text: str, language: str) -> list[str]:
    """``words(text)`` without function words of the language (both lists when unknown)."""
    stop = STOPWORDS.get(language) or STOPWORDS["nl"] | STOPWORDS["en"]
    return [w for w in words(text) if w not in stop and len(w) > 1]


def char_ngrams(word: str, sizes: tuple[int, int] = (3, 5)) -> list[str]:
    """Character n-grams (``sizes`` inclusive) of ``<word>`` with boundary marks."""
    marked = f"<{word}>"
    low, high = sizes
    return [
        marked[i : i + n]
        for n in range(low, high + 1)
        for i in range(len(marked) - n + 1)
        if marked[i : i + n] not in ("<", ">")
    ]


# --- duplicates ----------------------------------------------------------------------------

_NON_WORD: Final = re.compile(r"[\W_]+")


def fingerprint(text: str) -> str:
    """Equal for texts that differ only in case, punctuation, spacing, numbers or personal data."""
    cleaned = PLACEHOLDER.sub(" ", mask(normalise(text)))
    return _NON_WORD.sub(" ", fold(cleaned.lower())).strip()


_MASK64: Final = (1 << 64) - 1


def near_duplicates(
    texts: Sequence[str], *, threshold: float = 0.8, shingle: int = 3, bands: int = 16
) -> np.ndarray:
    """Index of the first member of each text's near-duplicate group (its own index if none).

    Near duplicates share at least ``threshold`` of their word ``shingle``-grams (Jaccard),
    estimated with MinHash (``bands`` bands of 4 hashes) and checked exactly on candidate pairs, so
    a reported pair is a true pair. Template texts and copy-paste campaigns fall into one group.
    """
    n = len(texts)
    group = np.arange(n)
    if n < 2:
        return group
    rows = 4
    num_hashes = bands * rows
    rng = np.random.default_rng(20260101)
    a = rng.integers(1, 2**61 - 1, size=num_hashes, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**61 - 1, size=num_hashes, dtype=np.uint64)
    shingles: list[frozenset[int]] = []
    exact: dict[str, int] = {}
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    signatures = np.full((n, num_hashes), np.iinfo(np.uint64).max, dtype=np.uint64)
    for i, text in enumerate(texts):
        key = fingerprint(text)
        tokens = key.split()
        grams = {
            hash(" ".join(tokens[j : j + shingle])) & _MASK64
            for j in range(max(1, len(tokens) - shingle + 1))
        }
        shingles.append(frozenset(grams))
        if key in exact:
            union(exact[key], i)
        else:
            exact[key] = i
        if grams:
            values = np.fromiter(grams, dtype=np.uint64, count=len(grams))
            with np.errstate(over="ignore"):
                hashed = values[:, None] * a[None, :] + b[None, :]
            signatures[i] = hashed.min(axis=0)
    for band in range(bands):
        buckets: dict[bytes, int] = {}
        block = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
        for i in range(n):
            if not shingles[i]:
                continue
            key_bytes = block[i].tobytes()
            first = buckets.setdefault(key_bytes, i)
            if first != i and find(first) != find(i):
                inter = len(shingles[first] & shingles[i])
                jaccard = inter / max(1, len(shingles[first] | shingles[i]))
                if jaccard >= threshold:
                    union(first, i)
    for i in range(n):
        group[i] = find(i)
    return group


# --- features ------------------------------------------------------------------------------


@dataclass
class TextFeatures:
    """Sparse TF-IDF features for themes and routing, fitted on one collection.

    Each text gives folded word stems (``w:``), bigrams of adjacent content-word stems
    (``b:``) and character n-grams of its content words (``c:``); tf is sublinear
    (1 + log tf), idf is smoothed, the n-gram block is weighted by ``char_weight`` and
    every row is L2-normalised. Character n-grams are computed once per distinct word and
    spread with a sparse product, so the cost grows with the vocabulary, not the volume.

    ``language`` is ``"nl"``, ``"en"`` or ``"auto"`` (each text stemmed in its own language,
    texts without evidence in the collection's dominant one).
    """

    language: str = "auto"
    min_df: int = 2
    max_df: float = 0.5
    bigrams: bool = True
    char_sizes: tuple[int, int] = (3, 5)
    char_weight: float = 0.6
    min_word_length: int = 2
    max_features: int = 200_000
    vocabulary: dict[str, int] = field(default_factory=dict)
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0))
    surfaces: dict[str, str] = field(default_factory=dict)
    dominant: str = "nl"

    # -- tokenising --

    def _languages(self, texts: Sequence[str]) -> list[str]:
        if self.language in LANGUAGES:
            return [self.language] * len(texts)
        return [detect_language(t) or self.dominant for t in texts]

    def _local(self, texts: Sequence[str]) -> _LocalFeatures:
        """Counts of every feature per text, with feature names local to this batch."""
        word_ids: dict[tuple[str, str], int] = {}
        bigram_ids: dict[tuple[int, int], int] = {}
        w_indptr = [0]
        w_indices: list[int] = []
        b_indptr = [0]
        b_indices: list[int] = []
        for text, lang in zip(texts, self._languages(texts), strict=True):
            stop = STOPWORDS[lang]
            # -1 marks a dropped function word: bigrams join only words that were adjacent.
            sequence = [
                word_ids.setdefault((lang, w), len(word_ids))
                if len(w) >= self.min_word_length and w not in stop
                else -1
                for w in words(text)
            ]
            ids = [i for i in sequence if i >= 0]
            w_indices.extend(ids)
            w_indptr.append(len(w_indices))
            if self.bigrams:
                b_indices.extend(
                    bigram_ids.setdefault(pair, len(bigram_ids))
                    for pair in itertools.pairwise(sequence)
                    if pair[0] >= 0 and pair[1] >= 0
                )
                b_indptr.append(len(b_indices))
        n = len(texts)
        keys = list(word_ids)
        by_language: dict[str, list[int]] = {}
        for i, (lang, _) in enumerate(keys):
            by_language.setdefault(lang, []).append(i)
        stems = [""] * len(keys)
        for lang, members in by_language.items():
            stemmed = _stemmer(lang).stemWords([keys[i][1] for i in members])
            for i, stem in zip(members, stemmed, strict=True):
                stems[i] = fold(stem)
        stem_ids: dict[str, int] = {}
        word_stem = np.array([stem_ids.setdefault(s, len(stem_ids)) for s in stems], dtype=np.int64)
        word_counts = _counts(w_indptr, w_indices, (n, len(keys)))
        names: list[str] = ["w:" + s for s in stem_ids]
        blocks = [word_counts @ _one_hot(word_stem, len(stem_ids))]
        if self.bigrams:
            pairs = list(bigram_ids)
            first = word_stem[[p[0] for p in pairs]] if pairs else np.zeros(0, dtype=np.int64)
            second = word_stem[[p[1] for p in pairs]] if pairs else np.zeros(0, dtype=np.int64)
            stem_list = list(stem_ids)
            pair_names: dict[str, int] = {}
            pair_col = np.array(
                [
                    pair_names.setdefault(f"b:{stem_list[a]} {stem_list[b]}", len(pair_names))
                    for a, b in zip(first.tolist(), second.tolist(), strict=True)
                ],
                dtype=np.int64,
            )
            bigram_counts = _counts(b_indptr, b_indices, (n, len(pairs)))
            blocks.append(bigram_counts @ _one_hot(pair_col, len(pair_names)))
            names.extend(pair_names)
        gram_ids: dict[str, int] = {}
        g_rows: list[int] = []
        g_cols: list[int] = []
        for i, (_, w) in enumerate(keys):
            for g in char_ngrams(fold(w), self.char_sizes):
                g_rows.append(i)
                g_cols.append(gram_ids.setdefault(g, len(gram_ids)))
        word_grams = sp.csr_matrix(
            (np.ones(len(g_rows), dtype=np.float32), (g_rows, g_cols)),
            shape=(len(keys), len(gram_ids)),
        )
        blocks.append(word_counts @ word_grams)
        names.extend("c:" + g for g in gram_ids)
        surface = {s: keys[i][1] for i, s in enumerate(stems)}
        return _LocalFeatures(
            matrix=sp.csr_matrix(sp.hstack(blocks, format="csr"), dtype=np.float32),
            names=names,
            word_counts=word_counts,
            word_keys=keys,
            word_stems=stems,
            surface=surface,
        )

    # -- fitting --

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Learn the vocabulary and idf from ``texts`` and return their feature rows."""
        if self.language not in LANGUAGES:
            self.dominant = dominant_language(texts) or "nl"
        local = self._local(texts)
        n = max(1, len(texts))
        df = np.bincount(local.matrix.indices, minlength=len(local.names))
        max_count = self.max_df * n if n >= 20 else n
        min_count = self.min_df if n >= 20 else 1
        kept = np.flatnonzero((df >= min_count) & (df <= max_count))
        if len(kept) > self.max_features:
            order = np.lexsort((kept, -df[kept]))
            kept = np.sort(kept[order[: self.max_features]])
        self.vocabulary = {local.names[i]: j for j, i in enumerate(kept.tolist())}
        self.idf = np.log((1.0 + n) / (1.0 + df[kept].astype(np.float64))) + 1.0
        # Each stem is shown as the surface word that occurs most often with it.
        totals = np.asarray(local.word_counts.sum(axis=0)).ravel()
        best: dict[str, tuple[float, str]] = {}
        for i, stem in enumerate(local.word_stems):
            candidate = (float(totals[i]), local.word_keys[i][1])
            if candidate > best.get(stem, (0.0, "")):
                best[stem] = candidate
        self.surfaces = {stem: surface for stem, (_, surface) in best.items()}
        return self._weighted(local.matrix[:, kept])

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Feature rows for new texts with the fitted vocabulary (unknown features dropped)."""
        local = self._local(texts)
        columns = np.array([self.vocabulary.get(f, -1) for f in local.names], dtype=np.int64)
        known = np.flatnonzero(columns >= 0)
        mapping = sp.csr_matrix(
            (np.ones(len(known), dtype=np.float32), (known, columns[known])),
            shape=(len(local.names), len(self.vocabulary)),
        )
        return self._weighted(sp.csr_matrix(local.matrix @ mapping))

    def _weighted(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        counts = sp.csr_matrix(counts, dtype=np.float32)
        counts.data = 1.0 + np.log(counts.data)
        weights = (self.idf * self._block_weights()).astype(np.float32)
        return _l2_rows(sp.csr_matrix(counts @ sp.diags(weights)))

    def _block_weights(self) -> np.ndarray:
        names = self.feature_names
        return np.array([self.char_weight if f.startswith("c:") else 1.0 for f in names])

    # -- reading --

    @property
    def feature_names(self) -> list[str]:
        names = [""] * len(self.vocabulary)
        for f, i in self.vocabulary.items():
            names[i] = f
        return names

    def surface(self, feature: str) -> str:
        """A feature as people would write it: a stem becomes its most frequent word."""
        kind, _, value = feature.partition(":")
        if kind == "w":
            return self.surfaces.get(value, value)
        if kind == "b":
            return " ".join(self.surfaces.get(part, part) for part in value.split(" "))
        return value.strip("<>")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (the vocabulary, idf and stem → surface map)."""
        return {
            "language": self.language,
            "min_df": self.min_df,
            "max_df": self.max_df,
            "bigrams": self.bigrams,
            "char_sizes": list(self.char_sizes),
            "char_weight": self.char_weight,
            "min_word_length": self.min_word_length,
            "max_features": self.max_features,
            "dominant": self.dominant,
            "features": self.feature_names,
            "idf": [round(float(x), 6) for x in self.idf],
            "surfaces": self.surfaces,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TextFeatures:
        features = list(data["features"])
        sizes = data.get("char_sizes", [3, 5])
        return cls(
            language=data.get("language", "auto"),
            min_df=int(data.get("min_df", 2)),
            max_df=float(data.get("max_df", 0.5)),
            bigrams=bool(data.get("bigrams", True)),
            char_sizes=(int(sizes[0]), int(sizes[1])),
            char_weight=float(data.get("char_weight", 0.6)),
            min_word_length=int(data.get("min_word_length", 2)),
            max_features=int(data.get("max_features", 200_000)),
            vocabulary={f: i for i, f in enumerate(features)},
            idf=np.asarray(data["idf"], dtype=np.float64),
            surfaces=dict(data.get("surfaces", {})),
            dominant=data.get("dominant", "nl"),
        )


@dataclass
class _LocalFeatures:
    matrix: sp.csr_matrix
    names: list[str]
    word_counts: sp.csr_matrix
    word_keys: list[tuple[str, str]]
    word_stems: list[str]
    surface: dict[str, str]


def _counts(indptr: list[int], indices: list[int], shape: tuple[int, int]) -> sp.csr_matrix:
    """A count matrix from per-row lists of column ids (repeats are summed)."""
    matrix = sp.csr_matrix(
        (np.ones(len(indices), dtype=np.float32), np.asarray(indices, dtype=np.int64), indptr),
        shape=shape,
    )
    matrix.sum_duplicates()
    return matrix


def _one_hot(columns: np.ndarray, width: int) -> sp.csr_matrix:
    rows = np.arange(len(columns))
    return sp.csr_matrix(
        (np.ones(len(columns), dtype=np.float32), (rows, columns)), shape=(len(columns), width)
    )


def _l2_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).astype(matrix.dtype) @ matrix)


def iter_chunks(items: Iterable[str], size: int) -> Iterable[list[str]]:
    """Lists of at most ``size`` items, for streaming large collections."""
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
