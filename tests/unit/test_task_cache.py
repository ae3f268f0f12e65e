"""The task cache store: whole records or misses, never corruption; bounded, oldest first.
And the parse cache of manifests and uv.lock: reused until a file changes, damage ignored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seedbed.errors import InvalidInputError
from seedbed.model import stash, workspace
from seedbed.model.lockfile import Lock
from seedbed.tasks import parsed as parsed_module
from seedbed.tasks.cache import COMMITS_KEPT, Cache, Record
from seedbed.tasks.parsed import load
from seedbed.tasks.state import state_dir
from tests.helpers import lock_text, make_workspace


def record(key: str, package: str = "lib", task: str = "test", **more: object) -> Record:
    fields: dict = {"summary": "2 passed", "created": 1.0, **more}
    return Record(key, package, f"acme-{package}", "seed", task, 1.5, **fields)


KEY = "ab" + "0" * 62


def test_a_record_comes_back_whole(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    assert cache.get(KEY) is None
    stored = record(KEY, outputs=("dist/lib/lib-0.1.0.tar.gz",), commits=("c1",))
    cache.put(stored)
    assert cache.get(KEY) == stored
    assert cache.path(KEY) == tmp_path / "cache" / "v1" / "ab" / f"{KEY}.json"
    assert (tmp_path / "cache" / ".gitignore").read_text().endswith("*\n")


@pytest.mark.parametrize(
    "damage",
    [b"", b"{", b"[]", b'{"key": "x"}', b"\xff\xfe", b'{"key": "' + KEY.encode() + b'"}'],
    ids=["empty", "truncated", "not-an-object", "other-key", "not-utf8", "fields-missing"],
)
def test_a_damaged_record_is_a_miss(tmp_path: Path, damage: bytes) -> None:
    cache = Cache(tmp_path)
    cache.put(record(KEY))
    cache.path(KEY).write_bytes(damage)
    assert cache.get(KEY) is None
    cache.put(record(KEY))  # and the next pass replaces it
    assert cache.get(KEY) == record(KEY)


def test_a_record_under_the_wrong_name_is_a_miss(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    other = "cd" + "1" * 62
    cache.put(record(other))
    cache.path(KEY).parent.mkdir(parents=True)
    cache.path(KEY).write_bytes(cache.path(other).read_bytes())
    assert cache.get(KEY) is None
    assert [r.key for r in cache.records()] == [other]


def test_trim_removes_the_least_recently_used_first(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    keys = [f"{i:02d}" + "0" * 62 for i in range(10)]
    for age, key in enumerate(keys):
        cache.put(record(key))
        then = time.time() - 1000 + age
        os.utime(cache.path(key), (then, then))
    cache.get(keys[0])  # used just now: kept
    size = cache.path(keys[1]).stat().st_size
    small = Cache(tmp_path, max_bytes=size * 5)
    removed = small.trim()
    left = {r.key for r in small.records()}
    assert removed == 10 - len(left)
    assert keys[0] in left
    assert keys[1] not in left
    assert small.size() <= small.max_bytes * 0.8 + size
    assert Cache(tmp_path).trim() == 0  # within the default bound: nothing goes


def test_trim_removes_leftovers_of_interrupted_writes(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put(record(KEY))
    leftover = cache.path(KEY).parent / ".tmp-abandoned"
    leftover.write_bytes(b"{")
    fresh = cache.path(KEY).parent / ".tmp-being-written"
    fresh.write_bytes(b"{")
    os.utime(leftover, (time.time() - 7200, time.time() - 7200))
    assert cache.trim() == 1
    assert not leftover.exists()
    assert fresh.exists()
    assert cache.get(KEY) == record(KEY)


def test_records_keep_the_latest_commits_they_passed_at() -> None:
    stored = record(KEY)
    for number in range(COMMITS_KEPT + 5):
        stored = stored.seen_at(f"c{number}")
    stored = stored.seen_at("c10")
    assert len(stored.commits) == COMMITS_KEPT
    assert stored.commits[-1] == "c10"
    assert stored.commits.count("c10") == 1


def test_passing_lists_a_packages_task_newest_first(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put(record("aa" + "0" * 62, created=1.0))
    cache.put(record("bb" + "0" * 62, created=2.0))
    cache.put(record("cc" + "0" * 62, task="lint"))
    cache.put(record("dd" + "0" * 62, package="app"))
    assert [r.created for r in cache.passing("lib", "test")] == [2.0, 1.0]


def test_the_cache_folder_and_bound_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Cache.for_workspace(tmp_path).folder == tmp_path / ".proto" / "cache"
    monkeypatch.setenv("PROTO_CACHE_DIR", str(tmp_path / "shared"))
    monkeypatch.setenv("PROTO_CACHE_MAX_MB", "0.5")
    cache = Cache.for_workspace(tmp_path)
    assert cache.folder == tmp_path / "shared"
    assert cache.max_bytes == 512 * 1024
    for bad in ("0", "-1", "lots"):
        monkeypatch.setenv("PROTO_CACHE_MAX_MB", bad)
        with pytest.raises(InvalidInputError, match="PROTO_CACHE_MAX_MB"):
            Cache.for_workspace(tmp_path)


def test_the_state_folder_ignores_itself(tmp_path: Path) -> None:
    folder = state_dir(tmp_path)
    assert folder == tmp_path / ".proto"
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"


def test_writers_and_readers_at_once_never_see_half_a_record(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    keys = [f"{i:02d}" + "f" * 62 for i in range(8)]
    big = "x" * 20_000  # large enough that a torn write would show

    def write(n: int) -> None:
        cache.put(record(keys[n % len(keys)], summary=f"{n} {big}"))

    def read(n: int) -> bool:
        found = cache.get(keys[n % len(keys)])
        return found is None or found.summary.endswith(big)

    with ThreadPoolExecutor(8) as pool:
        writes = [pool.submit(write, n) for n in range(200)]
        reads = [pool.submit(read, n) for n in range(400)]
    assert all(f.result() is None for f in writes)
    assert all(f.result() for f in reads)
    assert sorted(r.key for r in cache.records()) == sorted(keys)
    assert not [p for p, _ in cache.entries() if p.name.startswith(".tmp-")]


def test_two_processes_sharing_a_cache_never_corrupt_it(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from seedbed.tasks.cache import Cache, Record\n"
        "cache = Cache(Path(sys.argv[1]), max_bytes=60_000)\n"
        "for n in range(300):\n"
        "    key = f'{n % 40:02d}' + 'e' * 62\n"
        "    cache.put(Record(key, 'p', 'acme-p', 'seed', 'test', 1.0, sys.argv[2] * 500))\n"
        "    cache.get(key)\n"
        "    if n % 50 == 0:\n"
        "        cache.trim()\n"
    )
    writers = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path), letter])
        for letter in ("a", "b")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    cache = Cache(tmp_path)
    for path, _ in cache.entries():
        assert not path.name.startswith(".tmp-")
        data = json.loads(path.read_bytes())
        assert data["summary"] in ("a" * 500, "b" * 500)


@settings(max_examples=40, deadline=None)
@given(summary=st.text(max_size=200), duration=st.floats(0, 1e6), commits=st.lists(st.text()))
def test_any_record_survives_the_round_trip(
    summary: str, duration: float, commits: list[str]
) -> None:
    stored = Record(KEY, "p", "acme-p", "core", "lint", duration, summary,
                    commits=tuple(commits))  # fmt: skip
    assert Record.from_json(stored.to_json()) == stored


# ------------------------------------------------------------------ the stashed lock


def test_the_parsed_lock_is_reused_until_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsed_module, "RACY_NS", 0)  # stash even a lock written just now
    root = make_workspace(tmp_path / "acme", {"lib": [], "app": ["lib"]}, lock=True)
    fresh, parsed = load(root)
    assert fresh == workspace.load(root)
    assert parsed.read_lock() == Lock.parse((root / "uv.lock").read_text())
    assert stash.path(root, parsed_module.STASH).is_file()

    def never(text: str) -> Lock:
        raise AssertionError("parsed again")

    with monkeypatch.context() as patch:
        patch.setattr(Lock, "parse", never)
        assert load(root)[1].read_lock() == parsed.read_lock()

    (root / "uv.lock").write_text(lock_text({"lib": [], "app": ["lib"]}, tools={"ruff": "1.0"}))
    assert load(root)[1].read_lock().groups == {"dev": frozenset({"ruff"})}


def test_a_damaged_lock_stash_is_ignored(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "acme", {"lib": []}, lock=True)
    where = stash.path(root, parsed_module.STASH)
    where.parent.mkdir(parents=True, exist_ok=True)
    for damage in (b"", b"{", b"\0\1\2"):
        where.write_bytes(damage)
        assert load(root)[1].read_lock() == Lock.parse((root / "uv.lock").read_text())
