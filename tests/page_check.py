"""Open an HTML page in headless Chromium (Debian's ``chromium`` driven by Playwright) at
1,280 × 800 and measure what a reader would see: horizontal overflow, images that did not load,
console errors, the text. Used by tests/test_pages_browser.py, and to take the screenshots in
docs/img/:

    python tests/page_check.py REPORT.html docs/img/report.png
"""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

WIDTH, HEIGHT = 1280, 800
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# elements wider than their scrolling box, and the page's own width
LAYOUT = """() => {
  const d = document.documentElement;
  const wide = [...document.querySelectorAll("table, img, figure, pre")].filter(e => {
    const box = e.closest(".scroll") || d;
    return e.getBoundingClientRect().right > box.getBoundingClientRect().right + 1;
  }).map(e => e.tagName + (e.alt ? " " + e.alt : ""));
  const broken = [...document.images].filter(i => !i.complete || i.naturalWidth === 0)
    .map(i => i.alt || i.src.slice(0, 40));
  return {page: d.scrollWidth, window: d.clientWidth, wide: wide, broken: broken,
          images: document.images.length, text: document.body.innerText,
          sections: [...document.querySelectorAll("h2")].map(h => h.textContent)};
}"""


def chromium() -> str | None:
    """The system's Chromium, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def why_no_browser() -> str | None:
    """Why pages cannot be checked here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed (pip install -e '.[test]')"
    if chromium() is None:
        return "chromium not installed (apt-get install -y chromium)"
    return None


@dataclass
class Rendered:
    page_width: int
    window_width: int
    wide: list[str]
    broken_images: list[str]
    images: int
    console_errors: list[str]
    text: str
    sections: list[str]

    @property
    def overflows(self) -> bool:
        return self.page_width > self.window_width or bool(self.wide)


def render(path: Path, screenshot: Path | None = None) -> Rendered:
    """Load ``path`` in Chromium at 1,280 × 800 and measure it (``screenshot``: a PNG of the
    whole page)."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            view = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            view.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            view.on("pageerror", lambda error: errors.append(str(error)))
            view.goto(Path(path).resolve().as_uri(), wait_until="load")
            layout = view.evaluate(LAYOUT)
            if screenshot is not None:
                view.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return Rendered(
        layout["page"],
        layout["window"],
        layout["wide"],
        layout["broken"],
        layout["images"],
        errors,
        layout["text"],
        layout["sections"],
    )


def sort_by(path: Path, header: str) -> list[str]:
    """Click the first table header reading ``header`` and return that column's cells, as the
    page then shows them."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            view = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            view.goto(Path(path).resolve().as_uri(), wait_until="load")
            cell = view.locator("th", has_text=re.compile(f"^{re.escape(header)}$")).first
            cell.click()
            return view.evaluate(
                """(th) => {
                  const column = [...th.parentElement.children].indexOf(th);
                  return [...th.closest("table").tBodies[0].rows].map(
                    r => r.cells[column].textContent);
                }""",
                cell.element_handle(),
            )
        finally:
            browser.close()


if __name__ == "__main__":
    shown = render(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
    print(
        f"{shown.page_width} px in {shown.window_width}; wide: {shown.wide}; "
        f"broken images: {shown.broken_images} of {shown.images}; "
        f"console errors: {shown.console_errors}; sections: {shown.sections}"
    )
