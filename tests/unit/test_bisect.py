"""The sheriff's search (tasks/bisect.py): the first failing point of any monotone outcome in
about log2(n) looks, a true pass-to-fail step of any outcome that is the same at every look,
and a flaky outcome caught rather than blamed on someone."""

from __future__ import annotations

import math
from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from seedbed.tasks.bisect import CONFIRMATIONS, Verdict, bisect


def recorded(outcome: Callable[[int], bool]) -> tuple[Callable[[int, bool], bool], list[int]]:
    looks: list[int] = []

    def observe(point: int, again: bool) -> bool:
        looks.append(point)
        return outcome(point)

    return observe, looks


@given(st.integers(min_value=1, max_value=400), st.data())
def test_a_monotone_outcome_gives_the_first_failing_point(last: int, data: st.DataObject) -> None:
    first_bad = data.draw(st.integers(min_value=1, max_value=last))
    observe, looks = recorded(lambda point: point < first_bad)
    assert bisect(last, observe) == Verdict("culprit", first_bad)
    # the two ends, the search, then the culprit twice more and the point before it once
    assert len(looks) <= 2 + math.ceil(math.log2(last)) + CONFIRMATIONS + 1
    assert looks[-CONFIRMATIONS - 1 :] == [first_bad] * CONFIRMATIONS + [first_bad - 1]


@given(st.lists(st.booleans(), min_size=2, max_size=200))
def test_any_steady_outcome_gives_a_step_from_pass_to_fail(outcomes: list[bool]) -> None:
    outcomes[0], outcomes[-1] = True, False  # passes at the good end, fails at HEAD
    verdict = bisect(len(outcomes) - 1, lambda point, again: outcomes[point])
    assert verdict.kind == "culprit"
    assert outcomes[verdict.point - 1]
    assert not outcomes[verdict.point]


@given(st.lists(st.booleans(), min_size=2, max_size=50))
def test_the_ends_are_checked_first(outcomes: list[bool]) -> None:
    last = len(outcomes) - 1
    verdict = bisect(last, lambda point, again: outcomes[point])
    if outcomes[last]:
        assert verdict == Verdict("not-red", last)
    elif not outcomes[0]:
        assert verdict == Verdict("red-at-good", 0)
    else:
        assert verdict.kind == "culprit"


@given(st.integers(min_value=1, max_value=300), st.booleans())
def test_a_task_that_fails_every_other_run_is_always_caught(last: int, fails_first: bool) -> None:
    runs = {"count": 0}

    def observe(point: int, again: bool) -> bool:
        runs["count"] += 1
        return (runs["count"] % 2 == 0) == fails_first

    verdict = bisect(last, observe)
    if fails_first:  # HEAD fails, the good end passes: the search goes on, and is caught
        assert verdict.kind == "flaky"
    else:  # HEAD passes at the first run: nothing to search
        assert verdict == Verdict("not-red", last)


@given(st.integers(min_value=1, max_value=100), st.data())
def test_a_flaky_verdict_names_a_point_seen_both_ways(last: int, data: st.DataObject) -> None:
    """Whatever the outcomes, the verdict agrees with every look: a culprit failed at each
    look and its neighbour passed at each look; a flaky point was seen both ways."""
    seen: dict[int, set[bool]] = {}

    def observe(point: int, again: bool) -> bool:
        passed = data.draw(st.booleans())
        seen.setdefault(point, set()).add(passed)
        return passed

    verdict = bisect(last, observe)
    if verdict.kind == "flaky":
        assert seen[verdict.point] == {True, False}
    elif verdict.kind == "culprit":
        assert seen[verdict.point] == {False}
        assert seen[verdict.point - 1] == {True}
    assert all(len(outcomes) == 1 for point, outcomes in seen.items() if point != verdict.point)
