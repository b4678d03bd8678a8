"""rlvr: verifiable rewards for reinforcement learning on reasoning language models.

The code lives in the top-level packages ``plugins``, ``verifiers``, ``rewards`` and ``trainers``;
this package holds what belongs to none of them: the version, the error hierarchy and the CLI.
"""

from __future__ import annotations

from importlib import metadata

__all__ = ["__version__"]

try:
    __version__ = metadata.version("rlvr")
except metadata.PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
