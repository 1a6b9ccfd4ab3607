"""Single-quoted PowerShell literals: PowerShell ends one at ' and at the typographic quotes ‘ ’ ‚ ‛ too."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ferme.powershell.check import check_script, errors, verbatim_value
from ferme.powershell.quote import SINGLE_QUOTES, ps_quote


def _tokens(script: str) -> list[str]:
    """The verbatim string tokens PowerShell's own tokenizer would see (its rule, written for the test)."""
    tokens, i = [], 0
    while i < len(script):
        if script[i] in SINGLE_QUOTES:
            j, value = i + 1, []
            while j < len(script):
                if script[j] in SINGLE_QUOTES:
                    if j + 1 < len(script) and script[j + 1] in SINGLE_QUOTES:
                        value.append(script[j + 1])
                        j += 2
                        continue
                    break
                value.append(script[j])
                j += 1
            tokens.append("".join(value))
            i = j + 1
        else:
            i += 1
    return tokens


def test_a_french_apostrophe_cannot_end_the_string() -> None:
    text = "a’; Remove-Item C:\\x; ’"
    script = f"Write-Output {ps_quote(text)}"
    assert _tokens(script) == [text]


def test_checker_refuses_an_unescaped_typographic_quote() -> None:
    findings = errors(check_script("Write-Output 'a’; Remove-Item C:\\x; ’'"))
    assert [f.kind for f in findings] == ["quote"], findings
    assert errors(check_script(f"Write-Output {ps_quote('l’état')}")) == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_quoting_gives_back_exactly_the_value(text: str) -> None:
    script = f"Write-Output {ps_quote(text)}"
    assert _tokens(script) == [text]
    assert verbatim_value(ps_quote(text)) == text
    assert not [f for f in errors(check_script(script)) if f.kind == "quote"]
