"""Copier, run the seedbed way: git URL rewrites so templates resolve to local histories,
a private cache per run, no questions asked, and Copier's errors turned into ProtoErrors.

The only module that imports copier (and its plumbum and jinja2); import it only in commands
that render.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from seedbed.errors import ProtoError, ToolFailedError
from seedbed.templating.answers import ANSWERS_FILE, stamp
from seedbed.templating.source import Source, builtin_source, url_rewrite


@contextmanager
def copier_session(rewrites: Mapping[str, Path | str], what: str) -> Iterator[None]:
    """Run Copier with git URL rewrites and a private cache; turn its errors into ProtoErrors.

    Copier runs git through plumbum, which keeps its own copy of the environment, so the
    rewrites go there. The private cache keeps concurrent runs (and other seedbed versions)
    from sharing a mirror of the same URL.
    """
    from copier.errors import CopierError, UnsafeTemplateError
    from jinja2 import TemplateError
    from plumbum import ProcessExecutionError, local

    with tempfile.TemporaryDirectory(prefix="proto-copier-") as cache:
        env = {**url_rewrite(local.env.getdict(), rewrites), "COPIER_CACHE_DIR": cache}
        saved = os.environ.get("COPIER_CACHE_DIR")
        os.environ["COPIER_CACHE_DIR"] = cache
        try:
            with local.env(**env):
                yield
        except UnsafeTemplateError as error:
            found = re.search(r"unsafe features?: ([^.\n]+)", str(error))
            feature = found.group(1).strip() if found else "unsafe features"
            raise ProtoError(
                f"the template of {what} uses {feature}, which would run code from the template "
                "on this machine",
                "pass --trust if you trust where this template comes from",
            ) from error
        except ProcessExecutionError as error:
            raise ToolFailedError(list(map(str, error.argv)), str(error.stderr)) from error
        except (CopierError, TemplateError, ValueError, OSError) as error:
            raise ProtoError(f"rendering the template of {what} failed: {error}") from error
        finally:
            if saved is None:
                os.environ.pop("COPIER_CACHE_DIR", None)
            else:
                os.environ["COPIER_CACHE_DIR"] = saved


def render(
    data: dict[str, Any], into: Path, source: Source | None = None, *, trust: bool = False
) -> list[Path]:
    """Render a template (default: the built-in one) with *data*, no questions, into *into*."""
    import copier

    source = source or builtin_source()
    with copier_session(source.rewrites, str(data.get("kind") or data.get("template"))):
        copier.run_copy(
            str(source.folder) if source.folder else source.url,
            into,
            data=data,
            vcs_ref=None if source.folder else source.ref,
            defaults=True,
            quiet=True,
            overwrite=False,
            unsafe=trust,
        )
    if source.folder is not None:  # rendered without git: record the portable source
        stamp(into / ANSWERS_FILE, source.url, source.ref or "")
    return sorted(path.relative_to(into) for path in into.rglob("*") if path.is_file())


def render_preview(
    data: dict[str, Any], source: Source | None = None, *, trust: bool = False
) -> list[Path]:
    """Render into a scratch folder and list the files, changing nothing else."""
    with tempfile.TemporaryDirectory(prefix="proto-preview-") as scratch:
        return render(data, Path(scratch) / "out", source, trust=trust)


def update(
    folder: Path, source: Source, data: dict[str, Any], what: str, *, trust: bool = False
) -> None:
    """Copier's 3-way update of the project at *folder* to *source*'s version, conflicts as
    inline markers; *data* answers every question seedbed knows."""
    import copier

    with copier_session(source.rewrites, what):
        copier.run_update(
            str(folder),
            answers_file=ANSWERS_FILE,
            data=data,
            vcs_ref=source.ref,
            overwrite=True,
            defaults=True,
            quiet=True,
            conflict="inline",
            context_lines=3,
            unsafe=trust,
        )
