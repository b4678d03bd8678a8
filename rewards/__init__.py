"""Rewards: verifiers composed into reward functions, TRL adapters and offline scoring."""

__all__: list[str] = []
