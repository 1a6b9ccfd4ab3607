"""`ferme check` opens the deployment's PFX files when they are there and their password is known: the file must
hold the thumbprint the inventory gives, and its names (SANs) must cover what each of its roles serves — the
gateway's external name (RDGateway), RD Web's name (RDWebAccess), the brokers' client access name or the broker's
FQDN (RDRedirector, RDPublishing). A certificate that does not cover a name breaks clients with a name mismatch,
which Set-RDCertificate accepts silently."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ferme.site import schema
from ferme.site.errors import FieldPath, Problem
from ferme.site.model import Host
from ferme.site.secrets import SecretStore
from ferme.site.yamlsrc import Positions


def names_needed(inv: schema.Inventory, hosts: dict[str, Host], role: str) -> list[str]:
    rds = inv.rds
    assert rds is not None
    if role == "RDGateway":
        return [rds.gateway.external_fqdn.lower()]
    if role == "RDWebAccess":
        return [(rds.web_fqdn or rds.gateway.external_fqdn).lower()]
    if rds.broker_ha is not None:
        return [rds.broker_ha.client_access_name.lower()]
    brokers = sorted((h for h in hosts.values() if "rds_broker" in h.roles), key=lambda h: h.name)
    return [(brokers[0].connection.fqdn or brokers[0].name).lower()] if brokers else []


def covers(names: list[str], wanted: str) -> bool:
    """A DNS name in the certificate's names, a wildcard covering one label included."""
    for name in (n.lower() for n in names):
        if name == wanted or (name.startswith("*.") and wanted.split(".", 1)[-1] == name[2:] and "." in wanted):
            return True
    return False


def certificate_problems(inv: schema.Inventory, hosts: dict[str, Host], folder: Path, positions: Positions,
                         store: SecretStore) -> list[Problem]:  # fmt: skip
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    problems: list[Problem] = []
    for i, certificate in enumerate(inv.rds.certificates if inv.rds else []):
        path: FieldPath = ("rds", "certificates", i)
        pfx = folder / certificate.pfx
        if not pfx.is_file() or certificate.password.name not in store.names():
            continue  # a missing file is a warning of its own; without the password there is nothing to open
        try:
            bundle = pkcs12.load_pkcs12(pfx.read_bytes(), store.value(certificate.password.name).encode())
        except ValueError:
            problems.append(Problem(positions.of((*path, "password")), (*path, "password"),
                                    f"{certificate.pfx} does not open with this password"))  # fmt: skip
            continue
        if bundle.cert is None:
            problems.append(Problem(positions.of((*path, "pfx")), (*path, "pfx"), f"{certificate.pfx} holds no key"))
            continue
        cert = bundle.cert.certificate
        thumbprint = hashlib.sha1(cert.public_bytes(Encoding.DER)).hexdigest().upper()
        if thumbprint != certificate.thumbprint:
            problems.append(Problem(positions.of((*path, "thumbprint")), (*path, "thumbprint"),
                                    f"{certificate.pfx} holds {thumbprint}, not {certificate.thumbprint}"))  # fmt: skip
        try:
            sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = sans.get_values_for_type(x509.DNSName)
        except x509.ExtensionNotFound:
            names = []
        for role in certificate.roles:
            for wanted in names_needed(inv, hosts, role):
                if not covers(names, wanted):
                    problems.append(Problem(
                        positions.of((*path, "roles")), (*path, "roles"),
                        f"{certificate.pfx} does not name {wanted} ({role}): it names {', '.join(names) or 'nothing'}",
                        "add the name to the certificate's subject alternative names, or give this role another "
                        "certificate"))  # fmt: skip
    return problems
