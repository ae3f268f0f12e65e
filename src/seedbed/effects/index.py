"""The package index, asked one thing: which versions of a distribution are published there
(the PEP 503 simple API, which PyPI, devpi, pypiserver and most private indexes serve)."""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from seedbed.model.names import normalize

PYPI_UPLOAD = "https://upload.pypi.org/legacy/"
PYPI_SIMPLE = "https://pypi.org/simple/"


def simple_index(publish_url: str, check_url: str | None) -> str:
    """The simple index that answers 'is this version published?'."""
    if check_url:
        return check_url
    if publish_url == PYPI_UPLOAD:
        return PYPI_SIMPLE
    return urljoin(publish_url.rstrip("/") + "/", "simple/")


def published_versions(index_url: str, distribution: str) -> set[str] | None:
    """Versions of *distribution* on a PEP 503/691 simple index; None if it cannot be asked."""
    url = urljoin(index_url.rstrip("/") + "/", normalize(distribution) + "/")
    if not url.startswith(("http://", "https://")):
        return None
    parts = urlsplit(url)
    headers = {"Accept": "text/html"}
    if parts.username is not None:  # credentials in the URL: send them as basic auth
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            page = response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return set() if error.code == 404 else None
    except (urllib.error.URLError, OSError, ValueError):
        return None
    prefix = normalize(distribution).replace("-", "_")
    versions = set()
    for chunk in page.split(">"):
        name = chunk.split("<")[0].strip()
        for suffix in (".tar.gz", ".whl"):
            if name.endswith(suffix) and normalize(name).replace("-", "_").startswith(prefix):
                rest = name[len(prefix) + 1 : -len(suffix)]
                versions.add(rest.split("-")[0])
    return versions


def is_published(found: set[str], version: str) -> bool:
    """Whether *version* is among the versions *found* on an index (compared as PEP 440
    versions: `1.0` is `1.0.0`)."""
    from packaging.version import InvalidVersion, Version

    try:
        wanted = Version(version)
    except InvalidVersion:
        return version in found
    for candidate in found:
        try:
            if Version(candidate) == wanted:
                return True
        except InvalidVersion:
            continue
    return False
