"""Offline scoring of whole datasets through a reward spec: `rlvr score` and its Python form.

``run`` scores (resumable, in parallel), ``job`` turns command-line flags into a
:class:`~rewards.spec.RewardSpec`, ``table_io`` reads and writes JSONL/CSV/Parquet, ``report``
summarises a finished run.
"""

__all__: list[str] = []
