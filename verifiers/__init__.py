"""Verifiers: checks of what a model wrote, each returning a Verdict."""

from verifiers.base import Verdict, Verifier, VerifierConfig

__all__ = ["Verdict", "Verifier", "VerifierConfig"]
