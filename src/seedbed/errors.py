"""The one exception family that the CLI turns into an `error:` line and an exit code."""

from __future__ import annotations

import re

EXIT_REFUSED = 1
EXIT_USAGE = 2


class ProtoError(Exception):
    """An error the user can act on: a message, an optional hint and an exit code."""

    exit_code = EXIT_REFUSED

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class Interrupted(BaseException):
    """The process was asked to stop (SIGTERM, SIGHUP): changes roll back, as on Ctrl-C."""

    def __init__(self, signum: int) -> None:
        import signal

        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class InvalidInputError(ProtoError):
    """Invalid arguments, names or options (exit 2)."""

    exit_code = EXIT_USAGE


class NotAWorkspaceError(ProtoError):
    """The current folder is not inside a seedbed workspace."""


class ToolFailedError(ProtoError):
    """An external command (git, uv) failed; the message names it and quotes its output."""

    def __init__(self, command: list[str], output: str, hint: str | None = None) -> None:
        detail, tool_hint = summarize(output)
        message = redact(f"`{' '.join(command)}` failed" + (f": {detail}" if detail else ""))
        super().__init__(message, hint or tool_hint)
        self.command = command
        self.output = output


_NOISE = ("Using CPython", "Using Python", "warning:", "Resolved ", "Audited ")


def summarize(output: str) -> tuple[str, str | None]:
    """Boil a tool's output down to one line of error and its last hint.

    The error is the paragraph that starts at the first `error:`/`fatal:` line (wrapped lines
    and `cause:` lines joined), or else the last lines of output; hints are lines that start
    with `hint:`.
    """
    lines = [line.strip() for line in output.splitlines()]
    lines = [line for line in lines if not line.startswith(_NOISE)]
    hints = [line.removeprefix("hint:").strip() for line in lines if line.startswith("hint:")]
    hint = hints[-1] if hints else None
    for index, line in enumerate(lines):
        if line.startswith(("error:", "fatal:")):
            paragraph = [line.split(":", 1)[1].strip()]
            for following in lines[index + 1 :]:
                if not following or following.startswith(("hint:", "error:", "fatal:")):
                    break
                if following.startswith("cause:"):
                    paragraph[-1] += ":"
                    following = following.removeprefix("cause:").strip()
                paragraph.append(following)
            return " ".join(paragraph), hint
    body = [line for line in lines if line and not line.startswith("hint:")]
    return " | ".join(body[-3:]), hint


_USERINFO = re.compile(
    r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^/@\s:]*)(?P<secret>:[^/@\s]*)?@"
)


def redact(text: str) -> str:
    """*text* with the user-info of every URL hidden: `https://alice:PW@host/` becomes
    `https://alice:***@host/`, and `https://TOKEN@host/` becomes `https://***@host/`."""

    def hide(match: re.Match[str]) -> str:
        if match["secret"] is not None:
            return f"{match['scheme']}{match['user']}:***@"
        return f"{match['scheme']}***@"

    return _USERINFO.sub(hide, text)
