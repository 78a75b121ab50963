# SPDX-License-Identifier: EUPL-1.2
"""Language of a short text, from the share of each language's function words.

Function words are frequent in every topic, so a handful of them decide even a one-line
complaint; unknown is the honest answer when there are none.
"""

import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"[a-zà-ÿ']+")

FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "nl": frozenset(
        [
            "de",
            "het",
            "een",
            "en",
            "van",
            "in",
            "is",
            "dat",
            "op",
            "te",
            "met",
            "voor",
            "niet",
            "zijn",
            "er",
            "aan",
            "ook",
            "als",
            "bij",
            "of",
            "maar",
            "om",
            "naar",
            "dan",
            "nog",
            "wel",
            "geen",
            "ik",
            "je",
            "jij",
            "u",
            "we",
            "wij",
            "mijn",
            "uw",
            "ons",
            "onze",
            "hun",
            "zij",
            "ze",
            "die",
            "dit",
            "deze",
            "wordt",
            "werd",
            "was",
            "heb",
            "heeft",
            "hebben",
            "kan",
            "kun",
            "kunt",
            "moet",
            "moeten",
            "al",
            "door",
            "over",
            "uit",
            "tot",
            "waarom",
            "hoe",
            "wat",
            "wie",
            "waar",
            "wanneer",
            "graag",
            "alstublieft",
            "bedankt",
            "dank",
            "hallo",
            "goedemiddag",
            "goedemorgen",
            "geachte",
            "beste",
            "gemeente",
            "niks",
            "niets",
            "meer",
            "veel",
            "erg",
            "heel",
            "zeer",
            "sinds",
        ]
    ),
    "en": frozenset(
        [
            "the",
            "a",
            "an",
            "and",
            "of",
            "in",
            "is",
            "that",
            "on",
            "to",
            "with",
            "for",
            "not",
            "are",
            "be",
            "at",
            "also",
            "as",
            "by",
            "or",
            "but",
            "from",
            "then",
            "still",
            "no",
            "i",
            "you",
            "he",
            "she",
            "we",
            "they",
            "my",
            "your",
            "our",
            "their",
            "this",
            "these",
            "those",
            "was",
            "were",
            "has",
            "have",
            "had",
            "can",
            "could",
            "must",
            "should",
            "will",
            "would",
            "been",
            "about",
            "out",
            "up",
            "why",
            "how",
            "what",
            "who",
            "where",
            "when",
            "please",
            "thanks",
            "thank",
            "hello",
            "dear",
            "council",
            "very",
            "since",
            "more",
            "any",
        ]
    ),
}


def detect_language(text: str, *, minimum_hits: int = 2) -> str:
    """``"nl"``, ``"en"`` or ``""`` when the text gives too little evidence."""
    words = _WORD.findall(text.lower())
    scores = {
        language: sum(word in vocabulary for word in words)
        for language, vocabulary in FUNCTION_WORDS.items()
    }
    best = max(scores, key=lambda language: scores[language])
    if scores[best] < minimum_hits or list(scores.values()).count(scores[best]) > 1:
        return ""
    return best


def language_mix(text: str, *, minimum_hits: int = 2, minority_share: float = 0.3) -> str:
    """``"nl"``, ``"en"``, ``"mixed"`` or ``""``.

    Mixed means both languages show at least ``minimum_hits`` function words of their own
    (words both languages share, such as "in" and "is", count for neither) and the smaller
    language has at least ``minority_share`` of those hits.
    """
    words = _WORD.findall(text.lower())
    shared = FUNCTION_WORDS["nl"] & FUNCTION_WORDS["en"]
    own = {
        language: sum(word in vocabulary and word not in shared for word in words)
        for language, vocabulary in FUNCTION_WORDS.items()
    }
    low, high = sorted(own.values())
    if low >= minimum_hits and low >= minority_share * (low + high):
        return "mixed"
    return detect_language(text, minimum_hits=minimum_hits)


def dominant_language(texts: Iterable[str], *, sample: int = 2000) -> str:
    """The most common detected language among (up to ``sample`` of) ``texts``; ``""`` if none."""
    counts: Counter[str] = Counter()
    for i, text in enumerate(texts):
        if i >= sample:
            break
        language = detect_language(text)
        if language:
            counts[language] += 1
    return counts.most_common(1)[0][0] if counts else ""
