"""The WinRM session against the WS-Management double: auth, timeouts, exit codes, CLIXML, size, shell reuse."""

from __future__ import annotations

from typing import Any

import pytest

from ferme.connectors.winrs import Session, WinRMError
from tests.protocol.wsman_double import Reply, Server, encode_script


def session(server: Server, **overrides: Any) -> Session:
    result: Session = server.session(**overrides)
    return result


def test_runs_a_registered_script(server: Server) -> None:
    server.double.register("Get-Service -Name 'TermService' | ConvertTo-Json", Reply(stdout='{"Status": 4}'))
    result = session(server).run("Get-Service -Name 'TermService' | ConvertTo-Json")
    assert (result.rc, result.stdout) == (0, '{"Status": 4}')


def test_anything_else_behaves_like_cmd(server: Server) -> None:
    result = session(server).run("Get-Nothing")
    assert result.rc == 1 and "no such script registered" in result.stderr


def test_wrong_password_is_a_clear_error(server: Server) -> None:
    with pytest.raises(WinRMError, match="authentication refused for ferme-deploy"):
        session(server, password="wrong").run("anything")


def test_untrusted_certificate_is_refused(server: Server) -> None:
    with pytest.raises(WinRMError, match="certificate not trusted"):
        session(server, ca_bundle=None).run("anything")


def test_timeout_is_reported(server: Server) -> None:
    server.double.register("Start-Sleep -Seconds 60", Reply(hang=8))
    with pytest.raises(WinRMError, match="no answer within 5 s"):
        session(server, read_timeout=5).run("Start-Sleep -Seconds 60")


def test_non_zero_exit_and_clixml_error_are_decoded(server: Server) -> None:
    clixml = ('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
              '<S S="Error">Install-WindowsFeature : The request to add or remove features failed._x000D__x000A_</S>'
              '<S S="progress">ignored</S></Objs>')  # fmt: skip
    server.double.register("Install-WindowsFeature -Name 'Nope'", Reply(stderr=clixml, rc=1))
    result = session(server).run("Install-WindowsFeature -Name 'Nope'")
    assert result.rc == 1 and not result.ok  # over PSRP: the pipeline failed, its error record is the message
    assert result.stderr == "Install-WindowsFeature : The request to add or remove features failed. At line:1 char:1"
    raw = session(server).run_native(
        "powershell.exe", ["-EncodedCommand", encode_script("Install-WindowsFeature -Name 'Nope'")]
    )
    assert raw.stderr == "Install-WindowsFeature : The request to add or remove features failed."  # CLIXML decoded


def test_one_megabyte_of_output(server: Server) -> None:
    big = "x" * (1024 * 1024)
    server.double.register("Get-Content -Path 'C:\\big.txt'", Reply(stdout=big))
    result = session(server).run("Get-Content -Path 'C:\\big.txt'")
    assert result.stdout == big
    # 1 MiB (and its CLIXML wrapping) in the double's 64 KiB envelopes, plus the Receive that opened the pool
    assert server.double.requests["Receive"] == 18


def test_one_shell_for_the_whole_run(server: Server) -> None:
    for i in range(5):
        server.double.register(f"Write-Output {i}", Reply(stdout=str(i)))
    connection = session(server)
    assert [connection.run(f"Write-Output {i}").stdout for i in range(5)] == ["0", "1", "2", "3", "4"]
    connection.close()
    assert server.double.requests["Create"] == 1 and server.double.requests["Delete"] == 1
    assert server.double.requests["Signal"] == 0


def test_shell_not_found_is_recovered_once(server: Server) -> None:
    server.double.register("Write-Output 1", Reply(stdout="1"))
    connection = session(server)
    connection.run("Write-Output 1")
    server.double.drop_shells = True
    assert connection.run("Write-Output 1").stdout == "1"
    assert server.double.requests["Create"] == 2


def test_a_converged_host_costs_two_round_trips_for_its_facts(server: Server) -> None:
    from ferme.facts.windows import host_facts_script

    script = host_facts_script({"features": ["RDS-RD-Server"], "services": ["TermService"]})
    server.double.register(script, Reply(stdout='{"features": {"RDS-RD-Server": true}}'))
    connection = session(server)
    connection.open()
    before = server.double.requests["http"]
    connection.run(script)
    facts_round_trips = server.double.requests["http"] - before
    print(f"\nround trips for the facts of a converged host: {facts_round_trips}")
    assert facts_round_trips == 2


def test_upload_writes_in_chunks(server: Server) -> None:
    import base64

    data = bytes(range(256)) * 1000  # 256 000 bytes: two chunks of 200 000
    first = base64.b64encode(data[:200_000]).decode()
    second = base64.b64encode(data[200_000:]).decode()
    for piece, mode in ((first, "Create"), (second, "Append")):
        server.double.register(
            f"$bytes = [Convert]::FromBase64String('{piece}')\n"
            f"$stream = [IO.File]::Open('C:\\ferme\\x.bin.ferme-upload', [IO.FileMode]::{mode})\n"
            "$stream.Write($bytes, 0, $bytes.Length)\n$stream.Close()",
            Reply(),
        )
    server.double.register("Move-Item -Path 'C:\\ferme\\x.bin.ferme-upload' -Destination 'C:\\ferme\\x.bin' -Force",
                           Reply())  # fmt: skip
    session(server).upload(data, "C:\\ferme\\x.bin")
    assert server.double.requests["Command"] == 3


def test_a_failed_statement_fails_the_script(server: Server) -> None:
    """powershell.exe exits 0 when a statement fails and a later one succeeds: ferme's scripts stop at the
    first error and say what failed and where (issue 10, point 2)."""
    script = "Install-WindowsFeature -Name 'RDS-Gateway'\nWrite-Output 'done'"
    server.double.register(script, Reply(stdout="done", error="The request to add or remove features failed.",
                                         position="At line:1 char:1"))  # fmt: skip
    result = session(server).run(script)
    assert server.double.stopped == [True]
    assert result.rc == 1 and not result.ok
    assert result.stderr.strip() == "The request to add or remove features failed. At line:1 char:1"


def test_the_double_keeps_powershell_s_default_without_stop(server: Server) -> None:
    """The double can fail the test above: without the wrapper the same script exits 0."""
    script = "Install-WindowsFeature -Name 'RDS-Gateway'\nWrite-Output 'done'"
    server.double.register(script, Reply(stdout="done", error="The request to add or remove features failed."))
    result = session(server).run_native("powershell.exe", ["-EncodedCommand", encode_script(script)])
    assert result.rc == 0 and "The request to add or remove features failed." in result.stderr


def test_output_in_french_arrives_intact(server: Server) -> None:
    """powershell.exe writes in the OEM code page (850 on a French server) unless told UTF-8: the wrapper
    tells it, so accents arrive (issue 10, the double's cp850 output)."""
    script = "(Get-LocalGroup -SID 'S-1-5-32-555').Name"
    server.double.register(script, Reply(stdout="Utilisateurs du Bureau à distance"))
    assert session(server).run(script).stdout == "Utilisateurs du Bureau à distance"
    raw = session(server).run_native("powershell.exe", ["-EncodedCommand", encode_script(script)])
    assert raw.stdout != "Utilisateurs du Bureau à distance"  # without the wrapper: cp850 read as UTF-8


def test_a_long_command_outlives_the_operation_timeout(server: Server) -> None:
    """WinRM answers a Receive with fault 2150858793 once its OperationTimeout passes with no output
    yet; the session asks again until the command ends (the double models the fault)."""
    server.double.register("Install-WindowsFeature -Name 'RDS-RD-Server'", Reply(stdout="Success", delay=7))
    result = session(server, read_timeout=10).run("Install-WindowsFeature -Name 'RDS-RD-Server'")
    assert (result.rc, result.stdout) == (0, "Success")
    # a Receive opens the pool, then two for the command (the first one timed out)
    assert server.double.requests["TimedOut"] == 1 and server.double.requests["Receive"] == 3


def test_shells_left_open_hit_max_shells_per_user(server: Server) -> None:
    """A shell per run, closed at the end: shells left open count against MaxShellsPerUser (modelled)."""
    server.double.max_shells = 2
    server.double.register("hostname", Reply(stdout="RDSH01"))
    first = session(server)
    for _ in range(5):
        first.run("hostname")
    assert server.double.requests["Create"] == 1
    second = session(server)
    second.run("hostname")
    with pytest.raises(WinRMError, match="maximum number of 2 concurrent shells"):
        session(server).run("hostname")
    first.close()
    assert session(server).run("hostname").stdout == "RDSH01"


def test_the_longest_scripts_go_through_psrp(server: Server) -> None:
    """Issue 10, point 1: scripts travel inside PSRP, not on a command line. The département's largest
    Windows scripts (facts of its busiest host, its firewall rules) go through; the same script as
    `-EncodedCommand` is refused as cmd.exe refuses a line over 8,191 characters (the double models it)."""
    from ferme.checks.windows import expectations, wanted
    from ferme.facts.windows import host_facts_script
    from ferme.plan import build_plan
    from ferme.render.windows_firewall import render_host_rules
    from ferme.site import load_site
    from tests.conftest import INVENTORIES

    plan = build_plan(load_site(INVENTORIES / "departement-exemple", with_secrets=False))
    scripts = {name: host_facts_script(wanted(expectations(plan, name))) for name in ("rdsh01", "gw01", "dc01")}
    scripts.update({f"{name} firewall": render_host_rules(plan, name) for name in ("rdsh01", "gw01", "dc01")})
    longest = max(scripts.values(), key=len)
    print(f"\nlongest script: {len(longest)} characters, {len(encode_script(longest))} once encoded")
    assert len(encode_script(longest)) > 8191
    for script in scripts.values():
        server.double.register(script, Reply(stdout="ok"))
    connection = session(server)
    assert all(connection.run(script).stdout == "ok" for script in scripts.values())
    refused = connection.run_native("powershell.exe", ["-EncodedCommand", encode_script(longest)])
    assert refused.rc == 1 and "The command line is too long." in refused.stderr


def test_a_one_megabyte_upload_fits_the_envelopes(server: Server, tmp_path) -> None:
    """Uploads are scripts too: each chunk is fragmented by PSRP to fit MaxEnvelopeSizekb (modelled)."""
    from ferme.connectors.winrs import upload_scripts

    data = bytes(range(256)) * 4096
    for script in upload_scripts(data, "C:\\ProgramData\\ferme\\big.bin"):
        server.double.register(script, Reply())
    session(server).upload(data, "C:\\ProgramData\\ferme\\big.bin")
    # every chunk's script in one fragment, each envelope under the 500 KB the double (and WinRM) accept
    assert server.double.requests["too large"] == 0 and server.double.requests["Command"] == 7
