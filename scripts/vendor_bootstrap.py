"""Rewrite the vendored Bootstrap CSS so it loads no data: URIs.

Our CSP allows images from 'self' only (security.md §2.1), and Bootstrap draws its form
icons (radio dot, checkbox tick, select arrow, validation icons) as data: SVG URIs. This
script writes each one to static/vendor/bootstrap/icons/ and points the CSS at the file.
Run it once after copying a new bootstrap.min.css from the npm package `bootstrap`:

    python scripts/vendor_bootstrap.py
"""

import hashlib
import re
import sys
from pathlib import Path
from urllib.parse import unquote

VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "bootstrap"
DATA_URI = re.compile(r'url\("data:image/svg\+xml,([^"]*)"\)')


def main() -> int:
    css_path = VENDOR / "bootstrap.min.css"
    icons = VENDOR / "icons"
    icons.mkdir(exist_ok=True)

    def externalise(match: re.Match[str]) -> str:
        svg = unquote(match.group(1))
        name = f"{hashlib.sha256(svg.encode()).hexdigest()[:12]}.svg"
        (icons / name).write_text(svg)
        return f'url("icons/{name}")'

    css = css_path.read_text()
    rewritten, count = DATA_URI.subn(externalise, css)
    css_path.write_text(rewritten)
    sys.stdout.write(f"externalised {count} data: URIs into {icons}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
