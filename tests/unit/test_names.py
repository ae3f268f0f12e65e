"""Names: the rule, the refusals and their suggestions, and the derived names."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seedbed.errors import EXIT_USAGE, InvalidInputError
from seedbed.model.names import (
    NAME_PATTERN,
    Scope,
    identifier,
    is_valid_requirement,
    normalize,
    requirement_name,
    scope_from_folder,
    suggest,
    validate_name,
)

valid_names = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,3}", fullmatch=True).filter(
    lambda name: not keyword.iskeyword(identifier(name))
)


@pytest.mark.parametrize("name", ["url-parser", "a", "x1", "web2-api", "a-1-b"])
def test_valid_names_pass(name: str) -> None:
    assert validate_name(name) == name


@pytest.mark.parametrize(
    ("name", "problem", "hint"),
    [
        ("", "is empty", "lowercase letters"),
        ("url parser", "contains spaces", "did you mean 'url-parser'?"),
        ("URL-Parser", "uppercase", "did you mean 'url-parser'?"),
        ("url_parser", "hyphens, not underscores", "did you mean 'url-parser'?"),
        ("url.parser", "hyphens, not underscores or dots", "did you mean 'url-parser'?"),
        ("seeds/url", "not a path", "lowercase letters"),
        ("..", "not a path", "lowercase letters"),
        ("a\\b", "not a path", "lowercase letters"),
        ("1parser", "start with a letter", "lowercase letters"),
        ("-parser", "start or end with a hyphen", "did you mean 'parser'?"),
        ("parser-", "start or end with a hyphen", "did you mean 'parser'?"),
        ("url--parser", "single hyphens", "did you mean 'url-parser'?"),
        ("café", "only lowercase letters, digits and hyphens", "lowercase letters"),
        ("class", "is a Python keyword", "pick another name"),
        ("import", "is a Python keyword", "pick another name"),
    ],
)
def test_invalid_names_are_refused_with_a_reason_and_a_hint(
    name: str, problem: str, hint: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        validate_name(name)
    assert problem in caught.value.message
    assert caught.value.hint is not None
    assert hint in caught.value.hint
    assert caught.value.exit_code == EXIT_USAGE


@given(valid_names)
def test_every_valid_name_has_identifier_import_forms(name: str) -> None:
    assert validate_name(name) == name
    for style in ("namespace", "flat"):
        scope = Scope("acme-protos", style)
        for part in scope.import_name(name).split("."):
            assert part.isidentifier()
            assert not keyword.iskeyword(part)
    assert normalize(Scope("acme-protos").distribution(name)) == f"acme-protos-{name}"


@given(st.text(min_size=1, max_size=20))
def test_validation_accepts_exactly_the_pattern(text: str) -> None:
    expected = bool(NAME_PATTERN.fullmatch(text)) and not keyword.iskeyword(identifier(text))
    try:
        validate_name(text)
    except InvalidInputError:
        assert not expected
    else:
        assert expected


@given(st.text(max_size=20))
def test_a_suggestion_is_always_valid(text: str) -> None:
    suggestion = suggest(text)
    if suggestion is not None:
        assert validate_name(suggestion) == suggestion


@given(valid_names)
def test_short_and_distribution_names_round_trip(name: str) -> None:
    scope = Scope("acme-protos")
    assert scope.short_name(scope.distribution(name)) == name
    assert scope.short_name(name) == name


def test_import_styles() -> None:
    assert Scope("acme-protos").import_name("url-parser") == "acme_protos.url_parser"
    assert Scope("acme-protos", "flat").import_name("url-parser") == "acme_protos_url_parser"


@pytest.mark.parametrize(
    ("folder", "scope"),
    [("acme-protos", "acme-protos"), ("Acme_Protos", "acme-protos"), ("2024 Lab!", "lab")],
)
def test_scope_from_folder_normalises(folder: str, scope: str) -> None:
    assert scope_from_folder(folder) == scope


def test_scope_from_an_unusable_folder_asks_for_scope() -> None:
    with pytest.raises(InvalidInputError) as caught:
        scope_from_folder("123")
    assert caught.value.hint is not None
    assert "--scope" in caught.value.hint


requirement_names = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?", fullmatch=True)
requirement_tails = st.sampled_from(
    ["", ">=1", " >= 1.0", "[extra]", "[a,b]>=2; python_version < '3.12'", " @ https://x/y.whl",
     " (>=2)", "==1.*", ";sys_platform=='win32'", "~=1.4", "!=2,>1"]
)  # fmt: skip


@given(name=requirement_names, tail=requirement_tails)
def test_requirement_names_agree_with_a_full_parse(name: str, tail: str) -> None:
    from packaging.requirements import Requirement

    text = name + tail
    assert requirement_name(text) == normalize(Requirement(text).name)
    assert is_valid_requirement(text)


@pytest.mark.parametrize("text", ["", ">=1", "-x", "six >>> 1", "a b c"])
def test_broken_requirements(text: str) -> None:
    assert not is_valid_requirement(text)
