"""What browsers, caches, link checkers and uptime monitors expect of the pages and static files."""

from __future__ import annotations

import re

import httpx

GZIP = {"Accept-Encoding": "gzip"}


async def test_head_answers_like_get_without_the_body(client: httpx.AsyncClient) -> None:
    for path in ["/", "/healthz", "/widget.js", "/board/login"]:
        got, head = await client.get(path), await client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
        assert head.headers["content-length"] == got.headers["content-length"], path


async def test_pages_and_static_files_are_compressed_for_browsers_that_accept_it(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/", headers=GZIP)
    assert page.headers["content-encoding"] == "gzip" and "<main" in page.text
    script = re.search(r'src="(/static/chat\.js\?v=[0-9a-f]{12})"', page.text)
    assert script is not None, "the page links its script by content hash"
    static = await client.get(script.group(1), headers=GZIP)
    assert static.status_code == 200 and static.headers["content-encoding"] == "gzip"
    widget = await client.get("/widget.js", headers=GZIP)
    assert widget.headers["content-encoding"] == "gzip"
    plain = await client.get(script.group(1), headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == static.text


async def test_static_files_are_cached_by_content_and_revalidated_otherwise(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/")
    hashed = re.search(r'href="(/static/chat\.css\?v=[0-9a-f]{12})"', page.text)
    assert hashed is not None
    current = await client.get(hashed.group(1))
    assert current.headers["cache-control"] == "public, max-age=31536000, immutable"

    old = await client.get("/static/chat.css?v=000000000000")  # a page from before a release
    assert old.headers["cache-control"] == "no-cache" and old.headers["etag"]
    again = await client.get("/static/chat.css", headers={"If-None-Match": old.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "no-cache"
