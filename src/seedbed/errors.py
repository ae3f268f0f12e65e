"""The one exception family that the CLI turns into an `error:` line and an exit code."""

from __future__ import annotations

EXIT_REFUSED = 1
EXIT_USAGE = 2


class ProtoError(Exception):
    """An error the user can act on: a message, an optional hint and an exit code."""

    exit_code = EXIT_REFUSED

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InvalidInputError(ProtoError):
    """Invalid arguments, names or options (exit 2)."""

    exit_code = EXIT_USAGE


class NotAWorkspaceError(ProtoError):
    """The current folder is not inside a seedbed workspace."""


class ToolFailedError(ProtoError):
    """An external command (git, uv) failed; the message names it and quotes its output."""

    def __init__(self, command: list[str], output: str, hint: str | None = None) -> None:
        shown = " ".join(command)
        detail = last_lines(output)
        message = f"`{shown}` failed" + (f": {detail}" if detail else "")
        super().__init__(message, hint)
        self.command = command
        self.output = output


def last_lines(text: str, count: int = 3) -> str:
    """The last non-empty lines of a tool's output, joined on one line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-count:])
