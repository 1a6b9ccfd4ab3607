"""Compile ferme's gettext catalogues (ferme/locale/*/LC_MESSAGES/ferme.po → .mo) with Babel: `make locale`."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parent.parent / "ferme" / "locale"


def compiled(po: Path) -> bytes:
    with po.open("rb") as source:
        catalogue = read_po(source)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    return buffer.getvalue()


def main() -> int:
    for po in sorted(LOCALES.glob("*/LC_MESSAGES/*.po")):
        po.with_suffix(".mo").write_bytes(compiled(po))
        print(f"compiled {po.relative_to(LOCALES.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
