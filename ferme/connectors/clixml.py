"""Decode PowerShell's CLIXML error stream (`#< CLIXML` on stderr) into readable lines."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

HEADER = "#< CLIXML"
NS = "{http://schemas.microsoft.com/powershell/2004/04}"
ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    return ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def decode(stderr: str) -> str:
    """Plain text for a CLIXML stream: error records in order, progress records dropped."""
    if not stderr.startswith(HEADER):
        return stderr
    body = stderr[len(HEADER) :].strip()
    lines: list[str] = []
    for document in re.findall(r"<Objs.*?</Objs>", body, flags=re.S):
        try:
            root = ET.fromstring(document)
        except ET.ParseError:
            lines.append(document)
            continue
        for item in root.iter(f"{NS}S"):
            if item.get("S") in ("Error", "Warning", "Verbose", "Debug", "Information"):
                lines.append(_unescape(item.text or ""))
    return "".join(lines).strip()
