"""The flagged summary as a PDF, drawn by WeasyPrint from our own template and CSS.

WeasyPrint fetches the stylesheet and fonts the template links to. Its fetcher here
serves only our static files: nothing leaves the machine, and a URL that slipped into
an answer can never make the server fetch it (SSRF) or read a local file.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from screening.review_summary import ReviewSummary

# A host name that cannot resolve: relative URLs in the template resolve against it,
# and the fetcher maps it onto the static files.
BASE_URL = "https://pdf.invalid/"
CONTENT_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


class StaticFilesOnlyError(ValueError):
    pass


def static_file(url: str) -> Path:
    """The file behind one of our static URLs; anything else is refused."""
    prefix = BASE_URL.rstrip("/") + "/" + settings.STATIC_URL.lstrip("/")
    if not url.startswith(prefix):
        raise StaticFilesOnlyError("the PDF may only use our own static files")
    name = url.removeprefix(prefix).split("?", 1)[0].split("#", 1)[0]
    if not name or ".." in Path(name).parts or name.startswith("/"):
        raise StaticFilesOnlyError("not a static file name")
    found = finders.find(name)
    if found is None and staticfiles_storage.exists(name):
        found = staticfiles_storage.path(name)
    if found is None or Path(str(found)).suffix not in CONTENT_TYPES:
        raise StaticFilesOnlyError("no such static file")
    return Path(str(found))


class StaticFetcher(URLFetcher):
    """Serves our static files to WeasyPrint and refuses every other URL."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = static_file(url)
        return URLFetcherResponse(
            url,
            body=path.read_bytes(),
            headers={"Content-Type": CONTENT_TYPES[path.suffix]},
        )


def render_summary_pdf(summary: ReviewSummary) -> bytes:
    """The PDF of a summary: what the page shows, with the sign-off hash if signed."""
    html = render_to_string(
        "screening/reviews/summary_pdf.html",
        {"summary": summary, "intake": summary.intake, "printed_at": timezone.now()},
    )
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFetcher())
    return bytes(document.write_pdf())
