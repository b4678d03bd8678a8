"""The `code` verifier and its parts."""

from verifiers.code.program_run import ProgramRun, run_program

__all__ = ["ProgramRun", "run_program"]
