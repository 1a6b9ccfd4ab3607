"""Console messages in French when the locale says French, English otherwise.

The catalogue is gettext's: `ferme/locale/fr/LC_MESSAGES/ferme.po` (msgids in English), compiled to `ferme.mo`
(`make locale`, with Babel; a test checks the two agree and that every message ferme asks for is translated).
The language comes from LANGUAGE, LC_ALL, LC_MESSAGES and LANG, as gettext reads them: `LANG=fr_FR.UTF-8`
gives French. Messages are `str.format` templates (`_("{count} changed").format(count=3)`).
"""

from __future__ import annotations

import gettext
import os
from functools import cache
from pathlib import Path

DOMAIN = "ferme"
LOCALES = Path(__file__).parent / "locale"
ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@cache
def _translation(environment: tuple[str | None, ...]) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=LOCALES, fallback=True)


def _(message: str) -> str:
    """The message in the locale's language (itself when there is no translation)."""
    return _translation(tuple(os.environ.get(name) for name in ENVIRONMENT)).gettext(message)


def french() -> bool:
    return _translation(tuple(os.environ.get(name) for name in ENVIRONMENT)).info().get("language") == "fr"
