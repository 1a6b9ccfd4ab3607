"""Role vpn: each planned OpenVPN process runs on its port with its share of the cap, asks RADIUS (PIN+OTP),
holds a certificate for the VPN's name that the site CA signed and that is not about to expire; the host
forwards the teleworkers' packets; keys and RADIUS secrets are root's only."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.role("vpn")
HOME = "/etc/openvpn/ferme"


def _vpn(planned: dict[str, Any]) -> dict[str, Any]:
    vpn: dict[str, Any] | None = planned["state"].get("vpn")
    if vpn is None:
        pytest.skip("no OpenVPN on this host (wireguard or an appliance's VPN)")
    return vpn


def test_each_process_runs_on_its_port_with_its_cap(linux_host: Any, planned: dict[str, Any]) -> None:
    vpn = _vpn(planned)
    for instance in vpn["instances"]:
        service = linux_host.service(f"ferme-openvpn@{instance['name']}")
        assert service.is_running and service.is_enabled, instance["name"]
        protocol = "udp" if vpn["protocol"] == "udp" else "tcp"
        assert linux_host.socket(f"{protocol}://0.0.0.0:{instance['port']}").is_listening, instance["port"]
        config = linux_host.file(f"{HOME}/{instance['name']}.conf").content_string
        assert f"\nmax-clients {instance['max_clients']}\n" in config
        assert f"\nserver {instance['network']} {instance['netmask']}\n" in config
        assert ("radiusplugin.so" in config) == bool(vpn["radius"])
        assert "\nreneg-sec 0\n" in config and "\ntls-version-min 1.2\n" in config


def test_the_certificate_is_the_vpns_signed_by_the_site_ca(linux_host: Any, planned: dict[str, Any]) -> None:
    vpn = _vpn(planned)
    pki = f"{HOME}/pki"
    assert linux_host.run(f"openssl verify -CAfile {pki}/ca.crt {pki}/server.crt").rc == 0
    names = linux_host.check_output(f"openssl x509 -in {pki}/server.crt -noout -ext subjectAltName")
    assert f"DNS:{vpn['fqdn']}" in names
    # 30 days' notice before the server's certificate expires.
    assert linux_host.run(f"openssl x509 -in {pki}/server.crt -noout -checkend 2592000").rc == 0


def test_packets_are_forwarded_and_secrets_are_roots(linux_host: Any, planned: dict[str, Any]) -> None:
    vpn = _vpn(planned)
    assert linux_host.sysctl("net.ipv4.ip_forward") == 1
    private = [f"{HOME}/pki/ca.key", f"{HOME}/pki/server.key"]
    private += [f"{HOME}/radius-{i['name']}.cnf" for i in vpn["instances"]]
    for path in private:
        file = linux_host.file(path)
        assert file.exists and file.user == "root" and file.mode & 0o077 == 0, path
