"""Running many jobs side by side: at most `workers` at once, each only after the jobs it
waits for, in the order given otherwise; optionally stopping (no new starts) after a job whose
result says so. Jobs run in threads (they wait on subprocesses); the callbacks run in the
calling thread, one at a time, so whatever they print is never interleaved."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def run_all(
    items: Sequence[Item],
    work: Callable[[Item], Result],
    *,
    workers: int,
    after: Mapping[int, Iterable[int]] | None = None,
    stop: Callable[[Item, Result], bool] = lambda item, result: False,
    started: Callable[[Item], None] = lambda item: None,
    finished: Callable[[Item, Result], None] = lambda item, result: None,
) -> dict[int, Result]:
    """Run `work(item)` for every item (by index, `after[i]` lists the indexes item i waits
    for); return the results by index. Once `stop(item, result)` is true no further job
    starts, and the ones running finish: the indexes missing from the result never ran."""
    count = len(items)
    waiting = {i: {j for j in (after or {}).get(i, ()) if 0 <= j < count and j != i}
               for i in range(count)}  # fmt: skip
    dependents: dict[int, list[int]] = defaultdict(list)
    for index, needs in waiting.items():
        for need in needs:
            dependents[need].append(index)
    ready = deque(i for i in range(count) if not waiting[i])
    results: dict[int, Result] = {}
    running: dict[Future[Result], int] = {}
    stopping = False
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="proto-task")
    try:
        while running or (ready and not stopping):
            while ready and not stopping and len(running) < max(1, workers):
                index = ready.popleft()
                started(items[index])
                running[pool.submit(work, items[index])] = index
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: running[f]):
                index = running.pop(future)
                results[index] = future.result()
                finished(items[index], results[index])
                stopping = stopping or stop(items[index], results[index])
                for dependent in dependents[index]:
                    waiting[dependent].discard(index)
                    if not waiting[dependent]:
                        ready.append(dependent)
    finally:
        pool.shutdown(wait=not running, cancel_futures=True)
    return results
