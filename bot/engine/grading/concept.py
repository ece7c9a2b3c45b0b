"""Offline rubric grading of concept answers: weighted key points found by their phrasings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bot.engine.grading import text
from bot.engine.grading.contrast import Contrast, about_other_side, find_contrast
from bot.engine.grading.result import GradeResult, PointResult, no_credit, verdict_for
from bot.engine.models import ConceptQuestion, KeyPoint, Misconception

PASS_MARK = 0.7
MISCONCEPTION_PENALTY = 0.25
MISCONCEPTION_GAP = 2  # words a misconception may have inserted ("makes the final model more accurate")
REFERENCE_FULL_COVERAGE = 0.6
SOFT_FULL = 0.5  # share of a key point's (weighted) content words in one sentence that earns it in full
SOFT_HALF = 0.3  # ... and half of it
PROMPT_WORD_WEIGHT = 0.25  # words the question itself uses say little about understanding
STUFFED_CAP = 0.1
GRADER = "keypoints"
EMBED_THRESHOLD = 0.7  # cosine similarity at which the embedding assist credits a key point the phrasings missed

Embed = Callable[[Sequence[str]], np.ndarray]
"""Texts to unit-length sentence embeddings, one row per text (the optional MiniLM assist; see adapters)."""


@dataclass(frozen=True)
class _Sentence:
    raw: str
    tokens: list[str]
    stems: list[str]


@dataclass(frozen=True)
class _Match:
    hit: bool
    negated: bool
    evidence: str | None


def _prepare(answer: str) -> list[_Sentence]:
    """Split an answer into sentences with aligned tokens and stems."""
    result = []
    for raw in text.sentences(answer):
        toks = text.tokens(raw)
        result.append(_Sentence(raw, toks, [text.stem(t) for t in toks]))
    return result


Claim = Callable[[_Sentence, int, int], bool]


def _any_claim(sentence: _Sentence, start: int, length: int) -> bool:
    """Accept every occurrence (no contrast to check)."""
    return True


def _match(phrases: list[str], answer: list[_Sentence], allowed: Claim = _any_claim, gap: int = 0) -> _Match:
    """Find the first sentence that states one of the phrases, un-negated, about the right thing; a sentence that
    also negates one of them contradicts itself and earns nothing. Remember a negated statement if that is all."""
    phrase_stems = [s for s in (text.phrase_stems(phrase) for phrase in phrases) if s]
    negated_evidence = None
    for sentence in answer:
        stated = negated = False
        for stems in phrase_stems:
            start = text.find_phrase(sentence.stems, stems, gap)
            if start is None or not allowed(sentence, start, len(stems)):
                continue
            if text.negated_before(sentence.tokens, start):
                negated = True
            else:
                stated = True
        if negated:
            negated_evidence = negated_evidence or sentence.raw
        elif stated:
            return _Match(True, False, sentence.raw)
    return _Match(False, negated_evidence is not None, negated_evidence)


def _signatures(question: ConceptQuestion) -> list[dict[str, float]]:
    """Each key point's content stems, weighted: rarer across the question's points counts more, prompt words less."""
    points = tuple((p.description, tuple(p.phrases)) for p in question.key_points)
    return _signatures_of(question.prompt, points)


@lru_cache(maxsize=4096)
def _signatures_of(prompt_text: str, points: tuple[tuple[str, tuple[str, ...]], ...]) -> list[dict[str, float]]:
    """`_signatures`, cached: it depends only on the prompt and the key points' wording (callers only read it)."""
    prompt = frozenset(text.content_words(prompt_text))
    vocabularies = [text.content_words(" ".join([description, *phrases])) for description, phrases in points]
    shared: dict[str, int] = {}
    for vocabulary in vocabularies:
        for stem in vocabulary:
            shared[stem] = shared.get(stem, 0) + 1
    return [
        {stem: (PROMPT_WORD_WEIGHT if stem in prompt else 1.0) / shared[stem] for stem in vocabulary}
        for vocabulary in vocabularies
    ]


def _soft(signature: dict[str, float], answer: list[_Sentence]) -> tuple[float, _Sentence | None]:
    """The best share of the signature's weight found in one non-negated sentence (or two adjacent ones)."""
    total = sum(signature.values())
    if not total:
        return 0.0, None
    best, where = 0.0, None
    for index, sentence in enumerate(answer):
        window = set(sentence.stems) | (set(answer[index + 1].stems) if index + 1 < len(answer) else set())
        share = sum(w for stem, w in signature.items() if stem in window) / total
        if any(t in text.NEGATIONS for t in sentence.tokens):
            share *= 0.5
        if share > best:
            best, where = share, sentence
    return best, where


def _point(
    point: KeyPoint, answer: list[_Sentence], signature: dict[str, float], contrast: Contrast | None
) -> PointResult:
    """Grade one key point: an accepted phrasing earns it; failing that, enough of its vocabulary in one place.
    Either way the claim must be about the right side of a contrast."""
    claim, sentence_ok = _claims_for(point, contrast)
    found = _match(point.phrases or [point.description], answer, claim)
    credit, evidence = (1.0, found.evidence) if found.hit else (0.0, found.evidence)
    if not found.hit and not found.negated:
        share, sentence = _soft(signature, [s for s in answer if sentence_ok(s)])
        credit = 1.0 if share >= SOFT_FULL else (0.5 if share >= SOFT_HALF else 0.0)
        evidence = sentence.raw if credit and sentence else None
    return PointResult(
        id=point.id,
        hit=credit > 0,
        credit=credit,
        description=point.description,
        weight=point.weight,
        evidence=evidence,
        negated=found.negated,
    )


def _assist(
    key_points: list[KeyPoint],
    points: list[PointResult],
    answer: list[_Sentence],
    contrast: Contrast | None,
    embed: Embed,
) -> list[PointResult]:
    """Credit missed, un-negated key points whose phrasing some plain (un-negated) sentence matches in meaning."""
    plain = [s for s in answer if not any(t in text.NEGATIONS for t in s.tokens)]
    missed = [i for i, p in enumerate(points) if p.credit < 1.0 and not p.negated]
    if not plain or not missed:
        return points
    vectors = embed([s.raw for s in plain])
    out = list(points)
    for index in missed:
        point = key_points[index]
        _, sentence_ok = _claims_for(point, contrast)
        allowed = [i for i, s in enumerate(plain) if sentence_ok(s)]
        phrases = point.phrases or [point.description]
        if not allowed:
            continue
        similarity = vectors[allowed] @ embed(phrases).T
        best = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
        if float(similarity[best]) >= EMBED_THRESHOLD:
            evidence = plain[allowed[best[0]]].raw
            out[index] = out[index].model_copy(
                update={"hit": True, "credit": 1.0, "evidence": evidence, "by_meaning": True}
            )
    return out


def _claims_for(point: KeyPoint, contrast: Contrast | None) -> tuple[Claim, Callable[[_Sentence], bool]]:
    """How to tell, for this point, whether a phrase occurrence and a whole sentence are about the right thing."""
    own = contrast.owner(point) if contrast else None
    if contrast is None or own is None:
        return _any_claim, lambda sentence: True
    other = contrast.other(own)

    def claim(sentence: _Sentence, start: int, length: int) -> bool:
        return not about_other_side(sentence.stems, start, length, own, other)

    def sentence_ok(sentence: _Sentence) -> bool:
        names = set(sentence.stems)
        return not (names & other) or bool(names & own)

    return claim, sentence_ok


def _not_contrasted(sentence: _Sentence, start: int, length: int) -> bool:
    """A misconception said of something set apart ("unlike k-means, it gives soft assignments") is not claimed."""
    return "unlike" not in sentence.tokens[max(0, start - text.NEGATION_WINDOW) : start]


def _misconception(item: Misconception, answer: list[_Sentence]) -> PointResult:
    """Check one misconception (stated, not negated)."""
    found = _match(item.phrases, answer, _not_contrasted, gap=MISCONCEPTION_GAP)
    return PointResult(
        id=item.id, hit=found.hit, description=item.description, evidence=found.evidence if found.hit else None
    )


def grade_concept(question: ConceptQuestion, answer: str, embed: Embed | None = None) -> GradeResult:
    """Grade a free-text answer against the question's key points (or its reference answer).

    With `embed`, a key point the phrasings missed may still be credited when one un-negated sentence (about the
    right side of a contrast) means nearly the same as one of its phrasings, but only in an answer that earned
    something by its phrasings: the embedding assist is never the only grader.
    """
    if not answer.strip():
        return no_credit("unreadable", GRADER, "The answer is empty.")
    if not question.key_points:
        return _grade_by_reference(question, answer, embed)
    sentences = _prepare(answer)
    mistakes = [m for m in (_misconception(m, sentences) for m in question.misconceptions) if m.hit]
    wrong = {m.evidence for m in mistakes}
    kept = [s for s in sentences if s.raw not in wrong]
    contrast = find_contrast(question)
    points = [
        _point(p, kept, signature, contrast)
        for p, signature in zip(question.key_points, _signatures(question), strict=True)
    ]
    if embed is not None and any(p.credit > 0 for p in points):
        points = _assist(question.key_points, points, kept, contrast, embed)
    total = sum(p.weight for p in points)
    earned = sum(p.weight * p.credit for p in points) / total
    score = max(0.0, earned - MISCONCEPTION_PENALTY * len(mistakes))
    stuffed = text.keyword_list(answer)
    if stuffed:
        score = min(score, STUFFED_CAP)
    score = round(score, 4)
    verdict = verdict_for(score, PASS_MARK)
    feedback = _feedback(points, mistakes, question.key_points)
    if stuffed:
        feedback = f"⚠ A list of terms is not an explanation: write it in sentences to earn credit.\n{feedback}"
    return GradeResult(
        score=score,
        passed=score >= PASS_MARK,
        verdict=verdict,
        grader=GRADER,
        feedback=feedback,
        points=points,
        misconceptions=mistakes,
    )


def _feedback(points: list[PointResult], mistakes: list[PointResult], key_points: list[KeyPoint]) -> str:
    """Say which key points were hit (with evidence) and missed (with a hint), and name misconceptions."""
    hints = {k.id: k.phrases[0] for k in key_points if k.phrases}
    lines = []
    for p in points:
        if p.by_meaning:
            lines.append(f"✓ {p.description} (said in other words) — “{_clip(p.evidence or '')}”")
        elif p.hit and p.credit < 1.0:
            lines.append(f"◐ {p.description} (only partly: “{_clip(p.evidence or '')}”)")
        elif p.hit:
            lines.append(f"✓ {p.description} — “{_clip(p.evidence or '')}”")
        elif p.negated:
            lines.append(f"✗ {p.description} (your answer negates it: “{_clip(p.evidence or '')}”)")
        else:
            hint = f" (hint: think about “{hints[p.id]}”)" if p.id in hints else ""
            lines.append(f"✗ {p.description}{hint}")
    lines.extend(f"⚠ Misconception: {m.description} — “{_clip(m.evidence or '')}”" for m in mistakes)
    return "\n".join(lines)


def _clip(sentence: str, limit: int = 120) -> str:
    """Shorten evidence for display."""
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def _grade_by_reference(question: ConceptQuestion, answer: str, embed: Embed | None = None) -> GradeResult:
    """With no key points: coverage of the reference answer's content words (question words excluded); with
    `embed`, also the share of reference sentences some plain answer sentence matches in meaning (never alone)."""
    prompt_words = frozenset(text.content_words(question.prompt))
    reference = text.content_words(question.reference_answer, exclude=prompt_words)
    given = set(text.content_words(answer, exclude=prompt_words))
    coverage = len(reference.keys() & given) / len(reference) if reference else 0.0
    feedback = f"Your answer covers {coverage:.0%} of the reference answer's key terms."
    if embed is not None and coverage > 0:
        by_meaning = _meaning_coverage(question.reference_answer, answer, embed)
        if by_meaning > coverage:
            coverage = by_meaning
            feedback = f"Your answer says {coverage:.0%} of what the reference answer says, in its own words."
    score = round(min(1.0, coverage / REFERENCE_FULL_COVERAGE), 4)
    missing = [word for key, word in reference.items() if key not in given][:8]
    if missing and score < 1.0:
        feedback += " Terms you could have used: " + ", ".join(missing) + "."
    return GradeResult(
        score=score,
        passed=score >= PASS_MARK,
        verdict=verdict_for(score, PASS_MARK),
        grader="reference-overlap",
        feedback=feedback,
    )


def _meaning_coverage(reference: str, answer: str, embed: Embed) -> float:
    """Share of the reference answer's sentences that some un-negated answer sentence matches in meaning."""
    wanted = text.sentences(reference)
    plain = [s for s in text.sentences(answer) if not any(t in text.NEGATIONS for t in text.tokens(s))]
    if not wanted or not plain:
        return 0.0
    similarity = embed(wanted) @ embed(plain).T
    return float((similarity.max(axis=1) >= EMBED_THRESHOLD).mean())
