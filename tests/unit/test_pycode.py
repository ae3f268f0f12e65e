"""Module renames in Python code (effects/pycode.py): every import form, bindings, attribute
chains and import-target strings, in both import styles; properties: a rename and its reverse
give the source back, a second rename changes nothing, unrelated names are never touched."""

from __future__ import annotations

import re
import textwrap

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from seedbed.effects.pycode import CodeError, markers, rename_modules
from seedbed.model.names import rename_module, rename_target

NAMESPACE = {"acme.url_parser": "acme.uri_parser"}
FLAT = {"acme_url_parser": "acme_uri_parser"}
SCOPE = {"acme": "newco"}


def rewrite(source: str, renames: dict[str, str]) -> str:
    return rename_modules(textwrap.dedent(source), renames)


@pytest.mark.parametrize(
    "before",
    [
        "import acme.url_parser\n",
        "import acme.url_parser.x as y\n",
        "from acme.url_parser.x import y\n",
        "from acme.url_parser import y as z  # keep\n",
        "from acme import url_parser as o\n",
        "from acme import (\n    text,  # one\n    url_parser,\n)\n",
        "import acme.url_parser\nacme.url_parser.x.y()\n",
        "import acme.url_parser\nv = (acme.url_parser).x\n",
        "p = 'acme.url_parser.core.fetch'\n",
        'p = "acme.url_parser:app"\n',
        "p = r'acme.url_parser'\n",
    ],
)
def test_every_namespace_form(before: str) -> None:
    assert rewrite(before, NAMESPACE) == before.replace("url_parser", "uri_parser")


def test_from_import_renames_the_binding_where_it_is_used() -> None:
    source = """\
        from acme import url_parser


        def parse(text):
            return url_parser.greet(text)


        def shadowed():
            url_parser = "a local of the same name"
            return url_parser


        class Holder:
            tool = url_parser
        """
    assert rewrite(source, NAMESPACE) == textwrap.dedent("""\
        from acme import uri_parser


        def parse(text):
            return uri_parser.greet(text)


        def shadowed():
            url_parser = "a local of the same name"
            return url_parser


        class Holder:
            tool = uri_parser
        """)


@pytest.mark.parametrize(
    "source",
    [
        "from acme import url_parser\nuri_parser = 1\nurl_parser.x()\n",  # the new name is taken
        "from acme import url_parser\n__all__ = ['url_parser']\n",  # exported by its name
    ],
)
def test_a_binding_that_cannot_be_renamed_keeps_its_name(source: str) -> None:
    renamed = rewrite(source, NAMESPACE)
    assert renamed.startswith("from acme import uri_parser as url_parser\n")
    assert renamed.splitlines()[1:] == source.splitlines()[1:]


def test_flat_style() -> None:
    source = """\
        import acme_url_parser
        import acme_url_parser as up
        from acme_url_parser.core import thing
        from unittest import mock


        @mock.patch("acme_url_parser.core.fetch")
        def test(fetch, acme_url_parser_fixture):
            return acme_url_parser.greet(), up.greet(), thing


        def local(acme_url_parser):
            return acme_url_parser.x  # a parameter, not the module
        """
    assert rewrite(source, FLAT) == textwrap.dedent("""\
        import acme_uri_parser
        import acme_uri_parser as up
        from acme_uri_parser.core import thing
        from unittest import mock


        @mock.patch("acme_uri_parser.core.fetch")
        def test(fetch, acme_url_parser_fixture):
            return acme_uri_parser.greet(), up.greet(), thing


        def local(acme_url_parser):
            return acme_url_parser.x  # a parameter, not the module
        """)


def test_a_new_scope_for_the_whole_namespace() -> None:
    source = """\
        import acme.url_parser
        from acme import url_parser, text_tools
        from acme.web.app import app

        print(acme.url_parser.x, f(acme=1), obj.acme.x)
        """
    assert rewrite(source, SCOPE) == textwrap.dedent("""\
        import newco.url_parser
        from newco import url_parser, text_tools
        from newco.web.app import app

        print(newco.url_parser.x, f(acme=1), obj.acme.x)
        """)


UNTOUCHED = """\
    '''Docs that name acme.url_parser stay as they are.'''
    from . import url_parser
    from .url_parser import x
    import acme.url_parser_v2
    import acme_url_parser_v2
    from other import url_parser as theirs
    # acme.url_parser in a comment
    value = obj.acme.url_parser
    text = "acme.url_parser is great"
    data = b"acme.url_parser"
    escaped = "acme.url_parser\\n"
    url_parser = 3
    """


@pytest.mark.parametrize("renames", [NAMESPACE, FLAT], ids=["namespace", "flat"])
def test_what_is_not_a_reference_is_left_alone(renames: dict[str, str]) -> None:
    assert rewrite(UNTOUCHED, renames) == textwrap.dedent(UNTOUCHED)


def test_code_that_does_not_parse_is_an_error() -> None:
    with pytest.raises(CodeError, match="not valid Python"):
        rename_modules("import acme.url_parser\ndef (:\n", NAMESPACE)


def test_names_helpers() -> None:
    renames = {"a.b": "a.c", "a.b.d": "z"}
    assert rename_module("a.b", renames) == "a.c"
    assert rename_module("a.b.x", renames) == "a.c.x"
    assert rename_module("a.b.d.e", renames) == "z.e"  # the longest wins
    assert rename_module("a.bb", renames) is None
    assert rename_target("a.b.x:app", renames) == "a.c.x:app"
    assert rename_target("a.b x", renames) is None
    assert rename_target("a.b:", renames) is None
    assert markers({"acme.url_parser": "x", "acme_flat": "y"}) == ["acme_flat", "url_parser"]


# ---------------------------------------------------------------- properties

# the names the forms below use themselves: a module named `x` next to `x = x.b` is another
# program (the rename is right, `from acme import a as x`, but its reverse cannot know the
# original spelling)
FIXED = {"acme", "newco", "x", "alias", "thing", "other", "target", "f"}
identifiers = st.from_regex(r"[a-z][a-z0-9]{0,5}(_[a-z0-9]{1,4}){0,2}", fullmatch=True).filter(
    lambda name: name.isidentifier() and name not in FIXED
    and not __import__("keyword").iskeyword(name)
)  # fmt: skip


def forms(module: str, attribute: str) -> list[str]:
    """Every way code refers to *module* (a dotted name under `acme`)."""
    parent, _, leaf = module.rpartition(".")
    return [
        f"import {module}\nx = {module}.{attribute}()\n",
        f"import {module} as alias\nx = alias.{attribute}\n",
        f"from {module} import {attribute}\n",
        f"from {module}.{attribute} import thing as other\n",
        f"from {parent} import {leaf}\nx = {leaf}.{attribute}\n",
        f"from {parent} import {leaf} as alias\n",
        f"target = '{module}.{attribute}'\n",
        f"target = \"{module}:{attribute}\"\n",
        f"def f({attribute}):\n    return {attribute}\n",
    ]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    old=identifiers,
    new=identifiers,
    attribute=identifiers,
    picks=st.lists(st.integers(0, 8), min_size=1, max_size=5),
)
@example(old="a", new="a0", attribute="a_0", picks=[0])  # the new name starts with the old one
def test_a_rename_and_its_reverse_give_the_source_back(
    old: str, new: str, attribute: str, picks: list[int]
) -> None:
    names = {old, new, attribute}
    if len(names) < 3:
        return
    source = "".join(forms(f"acme.{old}", attribute)[pick] for pick in picks)
    there = rename_modules(source, {f"acme.{old}": f"acme.{new}"})
    assert there != source or all(pick == 8 for pick in picks)
    assert re.search(rf"acme\.{old}(?!\w)", there) is None  # acme.a0 or acme.a_b are other names
    assert rename_modules(there, {f"acme.{old}": f"acme.{new}"}) == there  # idempotent
    assert rename_modules(there, {f"acme.{new}": f"acme.{old}"}) == source


@settings(max_examples=40, deadline=None)
@given(
    old=identifiers,
    other=identifiers,
    attribute=identifiers,
    picks=st.lists(st.integers(0, 8), min_size=1, max_size=5),
)
def test_unrelated_modules_are_never_touched(
    old: str, other: str, attribute: str, picks: list[int]
) -> None:
    if len({old, other, attribute}) < 3:
        return
    source = "".join(forms(f"acme.{other}", attribute)[pick] for pick in picks)
    source += "".join(forms(f"other.{old}", attribute)[pick] for pick in picks)
    assert rename_modules(source, {f"acme.{old}": "acme.renamed"}) == source
