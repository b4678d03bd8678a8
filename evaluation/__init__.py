"""Evaluation of a model: accuracy (pass@k, maj@k), robustness, generalization and efficiency, with paired statistics.

``rlvr eval`` is the command line; every reward is computed by :mod:`rewards.compose`.
"""

from evaluation.metrics import Interval, maj_at_k, mcnemar_exact, paired_bootstrap, pass_at_k, wilson_interval

__all__ = ["Interval", "maj_at_k", "mcnemar_exact", "paired_bootstrap", "pass_at_k", "wilson_interval"]
