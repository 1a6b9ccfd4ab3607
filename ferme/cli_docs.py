"""`ferme docs INV [--out DIR]`: the DAT in French (HTML, PDF through headless Chromium), its topology as SVG and
the sizing sheet, rendered from the plan — regenerated, never edited by hand."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ferme.cli_files import EXIT_INVALID
from ferme.i18n import _


@click.command()
@click.argument("inventory", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Output folder (default: build/<site>/dat/).")
@click.option("--no-pdf", is_flag=True, help="Write the HTML, the SVG and the CSV only (no Chromium needed).")
def docs(inventory: Path, out: Path | None, no_pdf: bool) -> None:
    """Render the DAT of INVENTORY: dat.html, dat.pdf, topologie.svg, dimensionnement.csv."""
    from ferme.cli import _load, _write_text
    from ferme.docs.browser import BrowserMissing, print_pdf
    from ferme.docs.dat import render_dat
    from ferme.docs.topology import render_topology
    from ferme.plan import build_plan
    from ferme.render.sizing_sheet import render_sizing_csv

    started = time.perf_counter()
    site = _load(inventory, with_secrets=False)
    plan = build_plan(site)
    target = out or Path("build") / site.name / "dat"
    target.mkdir(parents=True, exist_ok=True)
    html = target / "dat.html"
    _write_text(html, render_dat(plan))
    _write_text(target / "topologie.svg", render_topology(plan))
    _write_text(target / "dimensionnement.csv", render_sizing_csv(plan))
    written = [html.name, "topologie.svg", "dimensionnement.csv"]
    if not no_pdf:
        try:
            print_pdf(html, target / "dat.pdf")
        except (BrowserMissing, RuntimeError) as exc:
            click.echo(f"ferme docs: {exc}", err=True)
            sys.exit(EXIT_INVALID if isinstance(exc, BrowserMissing) else 1)
        written.insert(1, "dat.pdf")
    click.echo(
        _("wrote {files} in {folder} in {seconds:.1f} s").format(
            files=", ".join(written), folder=target, seconds=time.perf_counter() - started
        )
    )
