"""Text helpers for offline concept grading: sentences, tokens, a light stemmer, negation."""

from __future__ import annotations

import re
from functools import lru_cache

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+|(?<=[.!?;])$")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|n't")
NEGATIONS = frozenset(
    {
        "not",
        "no",
        "never",
        "n't",
        "cannot",
        "without",
        "neither",
        "nor",
        "none",
        "nothing",
        "hardly",
        "rarely",
        "nobody",
        "nowhere",
        "lack",
        "lacks",
        "fails",
        "fail",
    }
)
CLAUSE_BREAKS = frozenset({"but", "however", "although", "though", "whereas", "while", "instead", "yet"})
STOPWORDS = frozenset(
    "a an the and or of to in on for with by at from as is are was were be been being it its this that these those "
    "which who whom what when where why how than then so such can could may might will would should must do does "
    "did has have had having into onto over under about between through during each other some any all more most "
    "very also just only both their there they them we you your our i he she his her if else because while not no "
    "one two use used using".split()
)
NEGATION_WINDOW = 3


def sentences(text: str) -> list[str]:
    """Split an answer into sentences (also on line breaks and bullet points)."""
    parts = [p.strip(" -*•\t") for p in _SENTENCE_SPLIT.split(text)]
    return [p for p in parts if p]


_NOTATION = [  # (cheap guard: a substring the pattern needs, pattern, replacement)
    (("^", "²", "**"), re.compile(r"(\w)\s*(?:\^\s*\{?2\}?|²|\*\*\s*2)"), r"\1 squared"),
    (("|",), re.compile(r"\|\s*([a-z_][\w.]*)\s*\|"), r" absolute value of \1 "),
    (("->", "→", "=>", "⇒"), re.compile(r"\s*(?:->|→|=>|⇒)\s*"), " leads to "),
    (("w/o",), re.compile(r"\bw/o\b"), "without"),
    (("w/",), re.compile(r"\bw/(?=\s|\w)"), "with "),
    ((" & ",), re.compile(r"\s&\s"), " and "),
    (("eg", "e.g."), re.compile(r"\b(?:e\.g\.|eg)(?=[\s,])"), "for example"),
]
_ABBREVIATIONS = {
    "cv": "cross validation",
    "var": "variance",
    "err": "error",
    "val": "validation",
    "reg": "regularisation",
    "lr": "learning rate",
    "acc": "accuracy",
    "std": "standard deviation",
    "approx": "approximately",
    "params": "parameters",
    "param": "parameter",
    "hyperparams": "hyperparameters",
    "dims": "dimensions",
    "dim": "dimension",
    "obs": "observations",
    "preds": "predictions",
    "pred": "prediction",
    "feats": "features",
    "avg": "average",
    "bc": "because",
    "vs": "versus",
}
_ABBREVIATION = re.compile(r"\b(" + "|".join(sorted(_ABBREVIATIONS, key=len, reverse=True)) + r")\b")
_PHRASAL = frozenset(
    "set sum add look make pick break write shut slow speed back sign end show turn give bring come go goes put take "
    "get cut wind narrow scale wash boil warm cool calm line weigh tone step ramp spin split pile build clean fill "
    "open mess free sort blow hold keep pull push round start wake follow catch crop kick let pay run stand stay tie "
    "sped marked mark trade wound up down".split()
)
_MOVES = re.compile(r"\b([a-z][a-z-]*)\s+(?:(?:goes|go|gets|get|is|are|comes|come|went)\s+)?(down|up)\b")


def _moves(match: re.Match[str]) -> str:
    """`bias down` -> `lower bias`, `variance goes up` -> `raise variance` (not phrasal verbs like `set up`)."""
    word, direction = match.group(1), match.group(2)
    if word in STOPWORDS or word in _PHRASAL or _stem(word) in _PHRASAL or word.removesuffix("s") in _PHRASAL:
        return match.group(0)
    return f"{'lower' if direction == 'down' else 'raise'} {word}"


def normalise(text: str) -> str:
    """Spell out the notation and shorthand people type in chat, so a phrase can match it: `bias^2`, `|w|`, `->`,
    `w/o`, `CV`, `var up`."""
    lowered = text.lower().replace("’", "'")
    for guards, pattern, replacement in _NOTATION:
        if any(guard in lowered for guard in guards):
            lowered = pattern.sub(replacement, lowered)
    lowered = _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m.group(1)], lowered)
    return _MOVES.sub(_moves, lowered) if " down" in lowered or " up" in lowered else lowered


# "doesn't" and, as typed in chat, "doesnt" -> "does n't"; "can't"/"cant" -> "can n't", "won't"/"wont" -> "will n't"
_NOT = re.compile(r"\b(ca|wo|ai|do|does|did|is|are|was|were|should|would|could|has|have|had)(?:n't|nt)\b")
_NOT_BASE = {"ca": "can", "wo": "will", "ai": "is"}


def tokens(text: str) -> list[str]:
    """Lower-case word tokens of the normalised text, with `doesn't` split into `does` + `n't`."""
    lowered = normalise(text)
    lowered = _NOT.sub(lambda m: f"{_NOT_BASE.get(m[1], m[1])} n't", lowered)
    lowered = re.sub(r"(\w)n't\b", r"\1 n't", lowered)  # the rest: "needn't", "mustn't"
    return _WORD.findall(lowered)


_SYNONYMS = {
    "decreas": "reduc",
    "lower": "reduc",
    "drop": "reduc",
    "fall": "reduc",
    "shrink": "reduc",
    "diminish": "reduc",
    "increas": "rais",
    "grow": "rais",
    "rise": "rais",
    "boost": "rais",
    "big": "larg",
    "huge": "larg",
    "bigger": "larg",
    "larger": "larg",
    "tiny": "small",
    "smaller": "small",
    "0": "zero",
    "nought": "zero",
    "prob": "probability",
    "probabilit": "probability",
    "memoriz": "overfit",
    "memoris": "overfit",
    "underfitt": "underfit",
    "overfitt": "overfit",
    "dataset": "data",
    "datum": "data",
}


# ML vocabulary that means the same thing in an answer: each word folds into the first of its group (phrasings
# and answers are folded alike). Chosen from the field's usage, not from any graded answer set.
_SAME = [
    ("weight", "weights", "coefficient", "coefficients"),
    ("feature", "features", "column", "columns", "predictor", "predictors", "attribute", "attributes"),
    ("sample", "samples", "row", "rows", "observation", "observations", "instance", "instances"),
    ("complex", "flexible", "expressive"),
    ("simple", "simpler", "rigid"),
    ("average", "averages", "averaged", "mean", "means"),
    ("loss", "cost", "objective"),
    ("gradient", "gradients", "slope", "slopes", "derivative", "derivatives"),
    ("many", "lots", "numerous"),
    ("large", "high"),
    ("small", "low"),
    ("neighbour", "neighbours", "neighbor", "neighbors"),
    ("behaviour", "behavior"),
    ("centre", "centres", "center", "centers"),
]


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """A light, consistent stemmer (plurals, -ing, -ed, -ly, final e, doubled consonants, -ise/-ize) that also
    folds a few common synonyms together (decrease/lower/reduce, increase/grow/rise, big/large, 0/zero)."""
    base = _stem(word)
    return _SYNONYMS.get(base, base)


def _fold_same() -> None:
    """Add the `_SAME` groups to the synonym table, keyed by their stems."""
    for first, *others in _SAME:
        target = _SYNONYMS.get(_stem(first), _stem(first))
        for word in others:
            _SYNONYMS.setdefault(_stem(word), target)


def _stem(word: str) -> str:
    """The suffix-stripping part of `stem`."""
    w = word.lower().removesuffix("'s")
    for british, american in (("isation", "ization"), ("ised", "ized"), ("ising", "izing"), ("ises", "izes")):
        if w.endswith(british) and len(w) > len(british) + 2:
            w = w[: -len(british)] + american
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif w.endswith("ied") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ed") and len(w) > 4:
        w = w[:-2]
    if w.endswith("ly") and len(w) > 4:
        w = w[:-2]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "sz" and w[-1].isalpha():
        w = w[:-1]
    return w


_fold_same()


def stems(text: str) -> list[str]:
    """Stemmed tokens of a text."""
    return [stem(t) for t in tokens(text)]


@lru_cache(maxsize=50_000)
def phrase_stems(phrase: str) -> tuple[str, ...]:
    """Stemmed tokens of a bank phrase, cached (phrases repeat for every answer graded)."""
    return tuple(stems(phrase))


def find_phrase(sentence_stems: list[str], phrase_stems: list[str] | tuple[str, ...], gap: int = 0) -> int | None:
    """Return where the phrase starts in the sentence (whole words, in order), or None. With `gap`, up to that
    many other words may stand between the phrase's words in all ("makes the *final* model more accurate")."""
    n = len(phrase_stems)
    if n == 0:
        return None
    first, rest = phrase_stems[0], list(phrase_stems[1:])
    start = -1
    while True:
        try:
            start = sentence_stems.index(first, start + 1)
        except ValueError:
            return None
        if sentence_stems[start + 1 : start + n] == rest or (gap and _gapped(sentence_stems, start + 1, rest, gap)):
            return start


_UNSKIPPABLE = frozenset(
    _stem(w) for w in NEGATIONS | CLAUSE_BREAKS | {"only", "unlike", "than", "and", "or", "if", "when", "because", "so"}
)


def _gapped(sentence_stems: list[str], at: int, rest: list[str], gap: int) -> bool:
    """Whether `rest` follows from `at` in order with at most `gap` other words between its words in all."""
    spare = gap
    for word in rest:
        while at < len(sentence_stems) and sentence_stems[at] != word:
            if spare == 0 or sentence_stems[at] in _UNSKIPPABLE:
                return False
            spare, at = spare - 1, at + 1
        if at >= len(sentence_stems):
            return False
        at += 1
    return True


def negated_before(sentence_tokens: list[str], start: int) -> bool:
    """Whether a negation word stands within the window before `start`, in the same clause."""
    for index in range(start - 1, max(-1, start - 1 - NEGATION_WINDOW), -1):
        word = sentence_tokens[index]
        if word in CLAUSE_BREAKS:
            return False
        if word in NEGATIONS:
            return True
    return False


def content_words(text: str, exclude: frozenset[str] = frozenset()) -> dict[str, str]:
    """Map each content-word stem of a text (no stopwords, no excluded stems) to its first spelling."""
    words: dict[str, str] = {}
    for token in tokens(text):
        if token in STOPWORDS or len(token) < 2:
            continue
        key = stem(token)
        if key not in exclude:
            words.setdefault(key, token)
    return words


FUNCTION_WORDS = frozenset(
    "the a an is are was were be being been of to in on for with by at from as it its this that these those which "
    "who what when where why how than then so because if but and or not no do does can will would should may might "
    "there their they them we you your i into about over under between through while has have had".split()
)
KEYWORD_LIST_RATIO = 0.08


def keyword_list(text_: str) -> bool:
    """Whether an answer is a bare list of terms rather than an explanation.

    Lists have almost no function words and are either many comma/line-separated items or one long run of
    words with no sentence punctuation; short telegraphic sentences ("L2 shrinks weights.") are not lists.
    """
    words = tokens(re.sub(r"(?<=\w)-(?=\w)", "", text_))  # "out-of-bag" is one term, not a use of "of"
    if len(words) < 6 or sum(w in FUNCTION_WORDS for w in words) / len(words) >= KEYWORD_LIST_RATIO:
        return False
    items = [item for item in re.split(r"[,;\n]+", text_) if item.strip()]
    return len(items) >= 5 or (len(words) >= 10 and not re.search(r"[.!?:=]", text_))
