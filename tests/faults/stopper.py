"""Run `proto ARGS` in a real process that stops itself at one exact step.

    python stopper.py MODULE:FUNCTION CALL[+DELAY] SIGNAL -- ARGS...

When MODULE.FUNCTION is called for the CALL-th time, the process sends itself SIGNAL (TERM,
KILL, HUP, INT) just before the call goes ahead, or DELAY seconds into the call (so a child
such as `uv lock` is running), as a CI cancel, `timeout`, a closed terminal or the OOM killer
would; SLEEP instead holds the process there for DELAY seconds. Everything else is the
installed proto, unchanged.
"""

from __future__ import annotations

import functools
import importlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any


def stop_at(target: str, when: str, signum: int) -> None:
    module_name, attribute = target.split(":")
    call, _, delay = when.partition("+")
    owner: Any = importlib.import_module(module_name)
    *parents, function_name = attribute.split(".")  # e.g. Transaction.write_text
    for parent in parents:
        owner = getattr(owner, parent)
    real: Callable[..., Any] = getattr(owner, function_name)
    calls = {"count": 0}

    @functools.wraps(real)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls["count"] += 1
        if calls["count"] == int(call):
            if signum == 0:  # SLEEP: hold on (the workspace lock, say) for DELAY seconds
                time.sleep(float(delay))
            elif delay:
                threading.Timer(float(delay), os.kill, (os.getpid(), signum)).start()
            else:
                os.kill(os.getpid(), signum)
                time.sleep(5)  # a handled signal interrupts this sleep by raising
        return real(*args, **kwargs)

    setattr(owner, function_name, wrapper)


if __name__ == "__main__":
    target, call, name, separator, *args = sys.argv[1:]
    assert separator == "--", sys.argv
    stop_at(target, call, 0 if name == "SLEEP" else getattr(signal, f"SIG{name}"))
    from seedbed.cli.app import main

    sys.argv = ["proto", *args]
    main(args)
