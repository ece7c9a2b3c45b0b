"""The optional MiniLM embedding assist: settings, the missing-extra errors, and the real model where installed."""

from __future__ import annotations

import numpy as np
import pytest

from bot.adapters import embeddings
from bot.adapters.embeddings import MiniLM, load_embedder
from bot.errors import ConfigError


def test_off_never_loads() -> None:
    """MLPREP_EMBEDDINGS=off means no assist, installed or not."""
    assert load_embedder("off") is None


def test_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the extra, `auto` quietly grades without it and `on` says how to install it."""
    monkeypatch.setattr(embeddings, "available", lambda: False)
    assert load_embedder("auto") is None
    with pytest.raises(ConfigError, match=r"pip install 'mlprep\[embeddings\]'"):
        load_embedder("on")


class CountingModel:
    """A model stand-in that records what it was asked to encode."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def encode(self, texts: list[str], **_: object) -> np.ndarray:
        self.batches.append(texts)
        return np.stack([np.eye(384)[len(t) % 384] for t in texts])


def test_texts_are_encoded_once() -> None:
    """Phrasings repeat for every answer, so each text is encoded only the first time."""
    model = CountingModel()
    embed = MiniLM(model)
    first = embed(["a", "bb", "a"])
    second = embed(["bb", "ccc"])
    assert first.shape == (3, 384) and np.allclose(first[0], first[2])
    assert np.allclose(second[0], first[1])
    assert model.batches == [["a", "bb"], ["ccc"]]


@pytest.mark.skipif(not embeddings.available(), reason="the embeddings extra is not installed")
def test_real_model_loads_offline_and_tells_meanings_apart() -> None:
    """The packaged MiniLM loads with the hub off and ranks a paraphrase above an unrelated sentence."""
    embed = MiniLM()
    vectors = embed(
        [
            "L1 regularisation sets many weights to exactly zero.",
            "With an absolute-value penalty lots of coefficients become exactly 0.",
            "The capital of France is Paris.",
        ]
    )
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


def test_cache_is_safe_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Grading threads share the cache; eviction under pressure never loses a vector mid-call."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(embeddings, "CACHE_SIZE", 5)
    embed = MiniLM(CountingModel())
    batches = [[f"text {i % 17}", f"phrase {i % 3}", f"text {(i * 7) % 17}"] for i in range(300)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(embed, batches))
    assert all(r.shape == (3, 384) for r in results)
