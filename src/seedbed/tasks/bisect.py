"""Bisection over the commits that can change a result, with the checks a sheriff needs
before blaming anyone (pure: the caller says how to observe a point).

Points are numbered 0 (the good end) to n (the bad end, HEAD); `observe(i, again)` tells
whether the task passes at point i (`again`: run it once more, whatever is known). The search:

1. the bad end must fail (else: not red);
2. the good end must pass (else: already red there);
3. binary search keeps a passing point below a failing one until they are neighbours;
4. the verdict is checked before anyone is blamed: the first failing point is observed
   CONFIRMATIONS more times and must fail each time, the point before it once more and must
   pass. An observation that disagrees with an earlier one at the same point is a flaky task.

For an outcome that is the same at every observation of a point, the verdict is a point that
fails right after one that passes; when the outcome flips once (monotone), it is exactly the
first failing point. A task that fails every other run is always caught (the two confirmations
of the culprit come one after the other).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

CONFIRMATIONS = 2

Kind = Literal["culprit", "flaky", "not-red", "red-at-good"]


@dataclass(frozen=True)
class Verdict:
    """How a search ended, and at which point: the culprit, the flaky point, the bad end
    (not red) or the good end (already red there)."""

    kind: Kind
    point: int


def bisect(
    last: int, observe: Callable[[int, bool], bool], confirmations: int = CONFIRMATIONS
) -> Verdict:
    """Search points 0..*last* (last >= 1) for the first failing one; see the module's doc."""
    seen: dict[int, bool] = {}

    def look(point: int, again: bool = False) -> bool:
        passed = observe(point, again)
        if seen.setdefault(point, passed) != passed:
            raise _FlakyError(point)
        return passed

    try:
        if look(last):
            return Verdict("not-red", last)
        if not look(0):
            return Verdict("red-at-good", 0)
        good, bad = 0, last
        while bad - good > 1:
            middle = (good + bad) // 2
            if look(middle):
                good = middle
            else:
                bad = middle
        for _ in range(confirmations):
            look(bad, again=True)
        look(good, again=True)
    except _FlakyError as flaky:
        return Verdict("flaky", flaky.point)
    return Verdict("culprit", bad)


class _FlakyError(Exception):
    def __init__(self, point: int) -> None:
        super().__init__(point)
        self.point = point
