"""Trainers: `python -m trainers.ppo`, `trainers.grpo` and `trainers.sft` over verifier rewards.

Heavy libraries (torch, transformers, trl) load inside the entry points, not on import.
"""

__all__: list[str] = []
