"""The rlvr task pack for lm-evaluation-harness: pass :data:`PACK_DIR` as ``lm_eval --include_path``."""

from pathlib import Path

__all__ = ["PACK_DIR"]

PACK_DIR = Path(__file__).parent
