"""Static check of PowerShell text against the cmdlet catalogue (the rules of data/powershell-catalogue.README.md).

Parses with tree-sitter's PowerShell grammar, then for every command: the cmdlet exists, every
parameter resolves (exact name or alias, else a unique prefix), one parameter set fits, its mandatory
parameters are bound (by name, position or pipeline), and literal values are accepted. It also
refuses PowerShell-7-only syntax (`&&`, `||`, `?:`, `??`), which Windows PowerShell 5.1 cannot run.
"""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import tree_sitter
import tree_sitter_powershell

from ferme.powershell.catalogue import Cmdlet, common_parameters, lookup, names
from ferme.powershell.quote import SINGLE_QUOTES

VERB_NOUN = re.compile(r"^[A-Za-z]+-[A-Za-z0-9]+$")

# Parameters a provider adds to New-Item in one of its containers (dynamic parameters: not in the catalogue).
# The RemoteDesktopServices provider (`RDS:` drive, Microsoft: "Use the Remote Desktop Services provider"):
# container → parameter → whether it is mandatory there.
DYNAMIC_PARAMETERS: dict[str, dict[str, dict[str, bool]]] = {
    "new-item": {
        "rds:\\gatewayserver\\cap": {"UserGroups": True, "AuthMethod": True, "ComputerGroupNames": False},
        "rds:\\gatewayserver\\rap": {
            "UserGroups": True,
            "ComputerGroupType": True,
            "ComputerGroup": False,
            "Description": False,
        },
        "rds:\\gatewayserver\\gatewaymanagedcomputergroups": {"Computers": True, "Description": False},
    },
}


@dataclass(frozen=True)
class Finding:
    line: int
    col: int
    command: str
    kind: str  # syntax, ps7, quote, cmdlet, parameter, ambiguous, missing-value, parameter-set, mandatory, value…
    message: str
    severity: str = "error"  # error, warning, info

    def __str__(self) -> str:
        return f"{self.line}:{self.col}: {self.severity}: {self.command}: {self.message}"


@cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def _text(node: tree_sitter.Node) -> str:
    return node.text.decode() if node.text else ""


def _walk(node: tree_sitter.Node) -> Any:
    yield node
    for child in node.children:
        yield from _walk(child)


def check_script(text: str) -> list[Finding]:
    """All findings for one script; an empty list means it passes."""
    source = text.encode()
    tree = _parser().parse(source)
    findings: list[Finding] = []
    for node in _walk(tree.root_node):
        where = (node.start_point[0] + 1, node.start_point[1] + 1)
        if node.is_missing and _comma_list_gap(node):
            continue  # allowlisted: the grammar stumbles on valid 5.1 unquoted lists (`-Profile Domain,Private`)
        if node.type == "ERROR" or node.is_missing:
            snippet = _text(node).strip()[:30]
            ps7 = snippet.startswith(("?", "??")) or "?" in snippet[:3]
            message = "PowerShell 7 operator (?: or ??)" if ps7 else f"cannot parse {snippet!r}"
            findings.append(Finding(*where, "-", "ps7" if ps7 else "syntax", message))
        elif node.type in ("&&", "||"):
            findings.append(Finding(*where, "-", "ps7", f"{node.type} is PowerShell 7 only"))
        elif node.type == "command":
            findings += _check_command(node, source)
        elif node.type == "verbatim_string_characters" and _lone_quote(_text(node)):
            findings.append(Finding(*where, "-", "quote", "a typographic quote (‘ ’ ‚ ‛) ends this string in "
                                    "PowerShell: double it, or build the literal with ps_quote"))  # fmt: skip
    return sorted(set(findings), key=lambda f: (f.line, f.col, f.kind))


def _lone_quote(token: str) -> bool:
    """Whether a single-quote character stands alone inside a '…' token (the grammar sees only ')."""
    inner, i = token[1:-1], 0
    while i < len(inner):
        if inner[i] in SINGLE_QUOTES:
            if i + 1 < len(inner) and inner[i + 1] in SINGLE_QUOTES:
                i += 2
                continue
            return True
        i += 1
    return False


def verbatim_value(token: str) -> str:
    """The value of a '…' token, as PowerShell reads it: a doubled single-quote character is one."""
    inner, value, i = token[1:-1], [], 0
    while i < len(inner):
        doubled = inner[i] in SINGLE_QUOTES and i + 1 < len(inner) and inner[i + 1] in SINGLE_QUOTES
        value.append(inner[i + 1] if doubled else inner[i])
        i += 2 if doubled else 1
    return "".join(value)


def _comma_list_gap(node: tree_sitter.Node) -> bool:
    if node.next_sibling is None and node.parent is not None and node.parent.type == "command_argument_sep":
        node = node.parent
    following = node.next_sibling
    while following is not None and following.type == "command_argument_sep":
        following = following.next_sibling
    return node.start_byte == node.end_byte and following is not None and _text(following).startswith(",")


def _pool(cmdlet: Cmdlet) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Name or alias (lower case) → canonical name; canonical name → its spec (first seen)."""
    pool: dict[str, str] = {}
    specs: dict[str, dict[str, Any]] = {}
    for parameter_set in cmdlet.parameter_sets:
        for name, spec in parameter_set["parameters"].items():
            specs.setdefault(name, spec)
            pool[name.lower()] = name
            for alias in spec.get("aliases", []):
                pool.setdefault(alias.lower(), name)
    if cmdlet.common:
        for name, spec in common_parameters().items():
            specs.setdefault(name, spec)
            pool.setdefault(name.lower(), name)
            for alias in spec.get("aliases", []):
                pool.setdefault(alias.lower(), name)
    return pool, specs


def _resolve(token: str, pool: dict[str, str]) -> tuple[str | None, list[str]]:
    key = token.lower()
    if key in pool:
        return pool[key], []
    matches = sorted({canonical for name, canonical in pool.items() if name.startswith(key)})
    return (matches[0], []) if len(matches) == 1 else (None, matches)


def _literals(node: tree_sitter.Node) -> list[str] | None:
    """Literal string values of an argument (comma lists split), or None if it is not a plain literal."""
    values: list[str] = []
    for child in _walk(node):
        if child.type in ("variable", "sub_expression", "script_block", "invokation_expression", "command"):
            return None
        if child.type == "verbatim_string_characters":
            values.append(verbatim_value(_text(child)))
        elif child.type == "expandable_string_literal":
            values.append(_text(child)[1:-1])
        elif child.type == "generic_token":
            values += [v for v in _text(child).split(",") if v]
    return values or None


def _elements(command: tree_sitter.Node) -> list[tree_sitter.Node]:
    """Parameters and arguments; a `,b` token continues the previous argument (an unquoted list)."""
    found = next((c for c in command.children if c.type == "command_elements"), None)
    elements: list[tree_sitter.Node] = []
    for child in found.children if found else []:
        if child.type == "command_argument_sep" or (child.type == "generic_token" and _text(child).startswith(",")
                                                    and elements):  # fmt: skip
            continue
        elements.append(child)
    return elements


def _argument_nodes(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    """An argument and the `,x` continuations that follow it (unquoted comma list)."""
    nodes = [node]
    sibling = node.next_sibling
    while sibling is not None and (sibling.type == "command_argument_sep" or
                                   (sibling.type == "generic_token" and _text(sibling).startswith(","))):  # fmt: skip
        if sibling.type == "generic_token":
            nodes.append(sibling)
        sibling = sibling.next_sibling
    return nodes


def _check_command(command: tree_sitter.Node, source: bytes) -> list[Finding]:
    name_node = next((c for c in command.children if c.type == "command_name"), None)
    if name_node is None:
        return []
    name = _text(name_node)
    where = (name_node.start_point[0] + 1, name_node.start_point[1] + 1)
    if not VERB_NOUN.match(name.split("\\")[-1]):
        return []  # native programs, functions of the script, operators: not cmdlets
    cmdlet = lookup(name)
    if cmdlet is None:
        close = difflib.get_close_matches(name, names(), n=1, cutoff=0.85)
        if close:
            return [Finding(*where, name, "cmdlet", f"unknown cmdlet (did you mean {close[0]}?)")]
        return [Finding(*where, name, "covered", "not in the catalogue's modules: not checked", "info")]
    pool, specs = _pool(cmdlet)
    findings: list[Finding] = []
    named: dict[str, tree_sitter.Node | None] = {}
    positional: list[tree_sitter.Node] = []
    splatted = False
    elements = _elements(command)
    dynamic = _dynamic_parameters(cmdlet.name, elements)
    for parameter in dynamic:
        pool.setdefault(parameter.lower(), parameter)
        specs.setdefault(parameter, {"switch": False})
    i = 0
    while i < len(elements):
        node = elements[i]
        at = (node.start_point[0] + 1, node.start_point[1] + 1)
        if node.type == "command_parameter":
            token = _text(node).lstrip("-").rstrip(":")
            bound_by_colon = source[node.end_byte : node.end_byte + 1] == b":" or _text(node).endswith(":")
            canonical, candidates = _resolve(token, pool)
            following = elements[i + 1] if i + 1 < len(elements) else None
            takes_next = following is not None and following.type != "command_parameter"
            if canonical is None:
                kind, message = (
                    ("ambiguous", f"-{token} is ambiguous: {', '.join(candidates)}")
                    if candidates
                    else ("parameter", f"unknown parameter -{token}")
                )
                findings.append(Finding(*at, cmdlet.name, kind, message))
                i += 2 if takes_next else 1
                continue
            switch = bool(specs[canonical].get("switch"))
            if bound_by_colon or (not switch and takes_next):
                named[canonical] = following
                i += 2
                continue
            if not switch:
                findings.append(Finding(*at, cmdlet.name, "missing-value", f"-{canonical} needs a value"))
            named[canonical] = None
            i += 1
            continue
        if node.type == "variable" and _text(node).startswith("@"):
            splatted = True
        else:
            positional.append(node)
        i += 1
    missing = [f"-{p}" for p, required in dynamic.items() if required and p not in named]
    if missing and not splatted:
        findings.append(
            Finding(*where, cmdlet.name, "mandatory", f"the provider's container needs {', '.join(missing)}")
        )
    static = {key: value for key, value in named.items() if key not in dynamic}
    findings += _check_sets(cmdlet, static, positional, splatted, _piped(command), where)
    findings += _check_values(cmdlet, static, specs)
    return _downgrade_documented(cmdlet, findings)


def _dynamic_parameters(cmdlet: str, elements: list[tree_sitter.Node]) -> dict[str, bool]:
    """The provider's dynamic parameters where the command's -Path is a literal container that has some."""
    containers = DYNAMIC_PARAMETERS.get(cmdlet.lower())
    if not containers:
        return {}
    for node, following in itertools.pairwise(elements):
        if node.type == "command_parameter" and _text(node).lstrip("-").lower() == "path":
            literal = _literals(following)
            if literal and len(literal) == 1:
                return containers.get(literal[0].rstrip("\\").lower(), {})
    return {}


def _piped(command: tree_sitter.Node) -> bool:
    previous = command.prev_sibling
    return previous is not None and previous.type == "|"


def _check_sets(cmdlet: Cmdlet, named: dict[str, Any], positional: list[tree_sitter.Node], splatted: bool,
                piped: bool, where: tuple[int, int]) -> list[Finding]:  # fmt: skip
    common = set(common_parameters()) if cmdlet.common else set()
    wanted = {n for n in named if n not in common}
    sets = [s for s in cmdlet.parameter_sets if wanted <= set(s["parameters"])]
    if not sets:
        return [Finding(*where, cmdlet.name, "parameter-set",
                        f"no parameter set takes {', '.join('-' + n for n in sorted(wanted))} together")]  # fmt: skip
    if splatted:
        return []
    reasons = []
    for parameter_set in sets:
        parameters = parameter_set["parameters"]
        slots = sorted(
            (spec["position"], name) for name, spec in parameters.items()
            if isinstance(spec.get("position"), int) and not spec.get("switch") and name not in named
        )  # fmt: skip
        if len(positional) > len(slots):
            reasons.append(f"{parameter_set['name']}: {len(positional)} positional arguments, {len(slots)} places")
            continue
        bound = set(named) | {name for _, name in slots[: len(positional)]}
        missing = [n for n, spec in parameters.items() if spec.get("required") and n not in bound
                   and not (piped and spec.get("pipeline_input"))]  # fmt: skip
        if not missing:
            return []
        reasons.append(f"{parameter_set['name']}: missing {', '.join('-' + m for m in missing)}")
    return [Finding(*where, cmdlet.name, "mandatory", "; ".join(reasons))]


def _check_values(cmdlet: Cmdlet, named: dict[str, Any], specs: dict[str, dict[str, Any]]) -> list[Finding]:
    findings = []
    for name, node in named.items():
        accepted = specs[name].get("accepted_values")
        if not accepted or node is None:
            continue
        values: list[str] = []
        for part in _argument_nodes(node):
            literal = _literals(part)
            if literal is None:
                values = []
                break
            values += literal
        if not values:
            continue
        allowed = {a.lower() for a in accepted}
        for value in values:
            if value.lower() not in allowed and not value.isdigit():
                at = (node.start_point[0] + 1, node.start_point[1] + 1)
                message = f"-{name} {value!r} is not accepted (one of: {', '.join(accepted)})"
                findings.append(Finding(*at, cmdlet.name, "value", message))
    return findings


def _downgrade_documented(cmdlet: Cmdlet, findings: list[Finding]) -> list[Finding]:
    """Where the docs contradict themselves about a parameter, a finding on it is only a warning."""
    noted = " ".join(cmdlet.doc_notes)
    result = []
    for finding in findings:
        mentioned = re.findall(r"-(\w+)", finding.message)
        if finding.severity == "error" and any(f"-{p} " in noted or f"-{p} [" in noted for p in mentioned):
            finding = Finding(finding.line, finding.col, finding.command, finding.kind, finding.message, "warning")
        result.append(finding)
    return result


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]
