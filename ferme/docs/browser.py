"""HTML to PDF and screenshots through headless Chromium (a real browser engine: what the reader's browser shows
is what the PDF holds). Chromium is a Debian package on the controller; `FERME_CHROMIUM` names another binary."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIME_LIMIT = 120  # seconds for one page


class BrowserMissing(RuntimeError):
    pass


def chromium() -> str:
    named = os.environ.get("FERME_CHROMIUM")
    found = shutil.which(named) if named else next((p for c in CANDIDATES if (p := shutil.which(c))), None)
    if found is None:
        raise BrowserMissing(
            "no Chromium to render the PDF (apt-get install --no-install-recommends chromium, or "
            "FERME_CHROMIUM=PATH); --no-pdf writes the HTML only"
        )
    return found


def _run(arguments: list[str], output: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="ferme-chromium-") as profile:
        command = [
            chromium(),
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            *arguments,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIME_LIMIT, check=False)
    if done.returncode != 0 or not output.is_file() or output.stat().st_size == 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"Chromium did not write {output}: {reason}")


def print_pdf(html: Path, pdf: Path) -> None:
    """The HTML page printed to PDF with its own @page rules (A4), no browser header or footer."""
    temporary = pdf.with_suffix(".pdf.tmp")
    temporary.unlink(missing_ok=True)
    _run(["--no-pdf-header-footer", f"--print-to-pdf={temporary}", html.resolve().as_uri()], temporary)
    temporary.replace(pdf)


def screenshot(page: Path, png: Path, width: int, height: int) -> None:
    """A PNG of the page's first `height` pixels at `width` (the README's pictures)."""
    _run([f"--screenshot={png}", f"--window-size={width},{height}", page.resolve().as_uri()], png)
