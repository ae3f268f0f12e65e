"""Version arithmetic: bumps (PEP 440) never go backwards, keep the epoch and finish what is
unfinished; `--set` takes public versions only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from seedbed.errors import InvalidInputError
from seedbed.operations.version import bumped, settable

BUMPS = ("major", "minor", "patch", "pre")


@pytest.mark.parametrize(
    ("current", "bump", "expected"),
    [
        ("0.1.0", "patch", "0.1.1"),
        ("0.1.9", "minor", "0.2.0"),
        ("1.4.2", "major", "2.0.0"),
        ("1.2.3", "pre", "1.2.4rc1"),
        ("1.2.4rc1", "pre", "1.2.4rc2"),
        ("2.0.0a1", "pre", "2.0.0a2"),
        ("1.2.4rc2", "patch", "1.2.4"),
        ("1.3.0rc1", "minor", "1.3.0"),
        ("2.0.0b3", "major", "2.0.0"),
        ("1.3.1rc1", "minor", "1.4.0"),
        ("1", "patch", "1.0.1"),
        # the epoch stays
        ("1!2.0.0", "minor", "1!2.1.0"),
        ("1!2.0.0", "pre", "1!2.0.1rc1"),
        # a development release is finished, not skipped
        ("1.0.0.dev3", "patch", "1.0.0"),
        ("1.0.0.dev3", "minor", "1.0.0"),
        ("1.0.0.dev3", "major", "1.0.0"),
        ("1.0.1.dev3", "minor", "1.1.0"),
        ("1.0.0.dev3", "pre", "1.0.0rc1"),
        ("1.0.0rc1.dev2", "pre", "1.0.0rc1"),
        ("1.0.0rc1.dev2", "patch", "1.0.0"),
        # a post-release's development release comes after the final release
        ("1.0.0.post1.dev1", "patch", "1.0.1"),
        ("1.0.0.post1.dev1", "pre", "1.0.1rc1"),
        ("1.0.0rc1.post1", "pre", "1.0.0rc2"),
        ("1.0.0rc1.post1.dev1", "pre", "1.0.0rc2"),
        # a local version is dropped; four parts stay four where finishing keeps them
        ("1.2.3+local", "patch", "1.2.4"),
        ("1.2.3.4", "patch", "1.2.4"),
        ("1.2.3.4rc1", "patch", "1.2.4"),
    ],
)
def test_bumps(current: str, bump: str, expected: str) -> None:
    assert bumped(current, bump) == expected  # type: ignore[arg-type]


@st.composite
def versions(draw: st.DrawFn) -> str:
    """Any PEP 440 version: epoch, 1-5 release parts, pre, post, dev and local segments."""
    epoch = draw(st.integers(0, 3))
    release = draw(st.lists(st.integers(0, 30), min_size=1, max_size=5))
    text = (f"{epoch}!" if epoch else "") + ".".join(map(str, release))
    if draw(st.booleans()):
        text += draw(st.sampled_from(("a", "b", "rc"))) + str(draw(st.integers(0, 9)))
    if draw(st.booleans()):
        text += f".post{draw(st.integers(0, 9))}"
    if draw(st.booleans()):
        text += f".dev{draw(st.integers(0, 9))}"
    if draw(st.booleans()):
        text += "+" + draw(st.sampled_from(("local", "ubuntu.1", "abc123")))
    return text


@given(versions(), st.sampled_from(BUMPS))
def test_a_bump_never_goes_backwards(current: str, bump: str) -> None:
    old = Version(current)
    new = Version(bumped(current, bump))  # type: ignore[arg-type]
    assert new > old
    assert new.epoch == old.epoch
    assert new.local is None
    assert new.dev is None
    assert new.post is None
    assert (new.pre is not None) == (bump == "pre")


@given(versions(), st.sampled_from(("major", "minor", "patch")))
def test_a_release_bump_is_final_and_at_least_the_release_it_was_heading_for(
    current: str, bump: str
) -> None:
    new = Version(bumped(current, bump))  # type: ignore[arg-type]
    assert not new.is_prerelease
    assert new.release[:3] >= Version(current).release[:3]


@given(versions())
def test_bumping_twice_keeps_going_forward(current: str) -> None:
    once = bumped(current, "pre")
    assert Version(bumped(once, "pre")) > Version(once)
    assert Version(bumped(once, "patch")) > Version(once)


def test_set_takes_public_versions_only() -> None:
    assert str(settable("1.0.0-rc.1")) == "1.0.0rc1"
    with pytest.raises(InvalidInputError, match=r"local version \(\+local\)") as raised:
        settable("1.2.3+local")
    assert raised.value.hint == "set the public version: --set 1.2.3"
