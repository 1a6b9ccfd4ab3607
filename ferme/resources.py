"""Files an installed ferme carries beside its code: templates, the farm deploy, the verify suites.

In a checkout they are the top-level `templates/`, `deploy/` and `tests/infra/` folders; the wheel
maps them to `ferme.templates`, `ferme.deploy` and `ferme.suites` (setup.py). Read through
importlib.resources, so the same code finds them in both, with no sys.path edits.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import jinja2


def _folder(package: str) -> Path:
    folder = Path(str(files(package)))
    if not folder.is_dir():  # a zipped install: ferme reads its files from disk (pyinfra, pytest, jinja2 do)
        raise RuntimeError(f"{package} is not a folder on disk ({folder}): install ferme unzipped")
    return folder


def templates(target: str) -> Path:
    """The folder of one target's Jinja2 templates (`nftables`, `base`, ...)."""
    return _folder("ferme.templates") / target


def farm_deploy() -> Path:
    """deploy/farm.py: the whole farm, for pyinfra."""
    return _folder("ferme.deploy") / "farm.py"


def verify_suites() -> Path:
    """tests/infra: the suites `ferme verify` runs."""
    return _folder("ferme.suites")


def template_environment(target: str) -> jinja2.Environment:
    """A Jinja2 environment on one target's templates: strict (an unknown name fails), blocks trimmed, no
    HTML escaping (configuration files, not web pages)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates(target)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
