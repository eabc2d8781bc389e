"""PDF of a document page, rendered by WeasyPrint from the very HTML the page serves.

The page's own stylesheet is the browser's (GOV.UK Frontend, 130 kB, with screen-only
components); the PDF instead reads ``print.css`` beside this module — GOV.UK's type scale
and tables for paper — and hides the service's header, navigation and footer. WeasyPrint
fetches nothing: every URL in the page (stylesheets, scripts, images) is answered empty, so
a document can neither reach the network nor depend on the built assets being present.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

PRINT_CSS = Path(__file__).with_name("print.css")
# Relative URLs in the page resolve against this, so they reach the fetcher (and nothing else).
BASE_URL = "https://councilflow.invalid/"


@cache
def _weasyprint() -> tuple[Any, Any, Any]:
    """WeasyPrint, loaded on the first PDF: it brings Pango in through cffi (about 0.7 s and
    25 MB), which no other page, worker or the scheduler should pay for at start-up."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class NothingFetched(URLFetcher):  # type: ignore[misc]
        """Answers every URL with nothing: the page's stylesheets, scripts and icons are the
        browser's, not the PDF's, and a document must never make WeasyPrint reach a network."""

        def fetch(self, url: str, headers: object = None) -> Any:
            return URLFetcherResponse(url, b"", {"Content-Type": "text/css"})

    stylesheet = CSS(string=PRINT_CSS.read_text(encoding="utf-8"))
    return HTML, stylesheet, NothingFetched


def render_pdf(html: str) -> bytes:
    """The PDF of ``html``, tagged (headings, tables and their header cells survive into the
    PDF's structure for screen readers), titled from the page's ``<title>``."""
    html_class, stylesheet, fetcher = _weasyprint()
    document = html_class(string=html, base_url=BASE_URL, url_fetcher=fetcher())
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet], pdf_tags=True) or b""
    return pdf
