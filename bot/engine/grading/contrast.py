"""Contrast questions (L1 vs L2, grid vs random search, bias and variance): which of the two contrasted things a
claim is about, so that a point stated about the wrong one earns nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

from bot.engine.grading import text
from bot.engine.models import ConceptQuestion, KeyPoint

# Common names of the same thing, so "lasso gives sparsity" is a claim about L1.
ALIASES: dict[str, frozenset[str]] = {
    "l1": frozenset({"lasso"}),
    "l2": frozenset({"ridge"}),
    "likelihood": frozenset({"mle", "ml"}),
    "posteriori": frozenset({"map", "posterior"}),
    "precision": frozenset({"ppv"}),
    "recal": frozenset({"sensitivity", "tpr"}),
}
_COORDINATED = re.compile(
    r"(?P<left>(?:[\w']+\s+){0,2}[\w']+)\s+(?:and|vs\.?|versus|or)\s+(?P<right>[\w']+(?:\s+[\w']+){0,3})"
)
_JOINED = re.compile(r"\b(?P<left>[A-Za-z0-9]+)[-/](?P<right>[A-Za-z0-9]+)\b")  # bias-variance, L1/L2
_SIDE_WORDS = 4


@dataclass(frozen=True)
class Contrast:
    """Two contrasted things, each a set of stems (the name and its aliases)."""

    first: frozenset[str]
    second: frozenset[str]

    def owner(self, point: KeyPoint) -> frozenset[str] | None:
        """The side a key point is about (its vocabulary names only that side), or None."""
        return self.side_of(_words(point.description, tuple(point.phrases)))

    def side_of(self, vocabulary: frozenset[str]) -> frozenset[str] | None:
        """The side a vocabulary names, if it names exactly one."""
        first, second = bool(vocabulary & self.first), bool(vocabulary & self.second)
        if first == second:
            return None
        return self.first if first else self.second

    def other(self, side: frozenset[str]) -> frozenset[str]:
        """The side that is not `side`."""
        return self.second if side == self.first else self.first


@lru_cache(maxsize=16_384)
def _words(description: str, phrases: tuple[str, ...]) -> frozenset[str]:
    """Content stems of a key point's description and phrases."""
    return frozenset(text.content_words(" ".join([description, *phrases])))


def _side(stem: str) -> frozenset[str]:
    """A stem with its aliases (stemmed alike)."""
    return frozenset({stem}) | {text.stem(alias) for alias in ALIASES.get(stem, frozenset())}


def find_contrast(question: ConceptQuestion) -> Contrast | None:
    """The pair of things the prompt coordinates ("A and B", "A vs B", "A-B") that split the key points between
    them, each owning at least one point the other does not; the best-splitting pair wins."""
    points = tuple((p.description, tuple(p.phrases)) for p in question.key_points)
    return _find(question.prompt, points)


@lru_cache(maxsize=4096)
def _find(prompt: str, points: tuple[tuple[str, tuple[str, ...]], ...]) -> Contrast | None:
    """`find_contrast`, cached: it depends only on the prompt and the key points' wording."""
    vocabularies = [_words(description, phrases) for description, phrases in points]
    best: tuple[tuple[int, int], Contrast] | None = None
    flat = prompt.replace("\n", " ")
    for match in [*_COORDINATED.finditer(flat), *_JOINED.finditer(flat)]:
        left = _content(match["left"])[-_SIDE_WORDS:]
        right = _content(match["right"])[:_SIDE_WORDS]
        for a, b in product([s for s in left if s not in right], [s for s in right if s not in left]):
            contrast = Contrast(_side(a), _side(b))
            owners = [contrast.side_of(vocabulary) for vocabulary in vocabularies]
            split = min(owners.count(contrast.first), owners.count(contrast.second))
            # ties go to the words right beside the conjunction ("bias-variance", not "training ... error")
            rank = (split, int(a == left[-1] and b == right[0]))
            if split >= 1 and (best is None or rank > best[0]):
                best = (rank, contrast)
    return best[1] if best else None


def _content(fragment: str) -> list[str]:
    """Content-word stems of a prompt fragment, in order."""
    return [text.stem(t) for t in text.tokens(fragment) if t not in text.STOPWORDS and len(t) > 1]


def about_other_side(stems: list[str], start: int, length: int, own: frozenset[str], other: frozenset[str]) -> bool:
    """Whether the claim matched at `start` (`length` words) is about `other`: it does not name `own` itself, and
    the nearest mention of either side before it (or, with none before, after it) in the sentence is `other`."""
    if own & set(stems[start : start + length]):
        return False
    for index in range(start - 1, -1, -1):
        if stems[index] in own:
            return False
        if stems[index] in other:
            return True
    for stem in stems[start:]:
        if stem in own:
            return False
        if stem in other:
            return True
    return False
