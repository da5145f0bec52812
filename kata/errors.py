"""The error family the CLI turns into one readable sentence and an exit code."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    GRADER_ERROR = 3


class KataError(Exception):
    """An expected problem: shown to the user as one sentence, never as a traceback."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class UnknownExercise(KataError):
    """The ID names no exercise."""


class WorkspaceError(KataError):
    """The workspace is missing, unreadable, or holds something unexpected."""


class GraderError(KataError):
    exit_code = ExitCode.GRADER_ERROR
