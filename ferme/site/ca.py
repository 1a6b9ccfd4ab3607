"""The site CA ferme makes when the inventory gives no certificate: one per inventory, next to it, out of git.

`certificats/ferme-ca.crt` is what the agents' workstations and the session hosts trust (a GPO imports it);
`certificats/ferme-ca.key` never leaves the controller. A server's certificate is issued once and kept
(`certificats/<fqdn>.crt|.key`): issued again only when it no longer fits (name, issuer, 30 days left).
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

FOLDER = "certificats"
CA_NAME = "ferme-ca"
SERVER_DAYS = 397  # what browsers accept for a server certificate
CA_DAYS = 3650
RENEW_DAYS = 30
CRL_DAYS = 180  # the CA's (empty) revocation list, published by the servers it certified
CRL_RENEW_DAYS = 60
CRL_PATH = "/crl/ferme-ca.crl"  # where a server certified by the site CA publishes its CRL (HTTP)


def crl_url(fqdn: str) -> str:
    return f"http://{fqdn}{CRL_PATH}"


def _write(path: Path, data: bytes, private: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    temporary.replace(path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())  # fmt: skip


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def site_ca(inventory: Path, label: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The inventory's CA, made on first use."""
    crt, key_path = inventory / FOLDER / f"{CA_NAME}.crt", inventory / FOLDER / f"{CA_NAME}.key"
    if crt.exists() and key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey), f"{key_path}: not an EC key"
        return x509.load_pem_x509_certificate(crt.read_bytes()), key
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, label[:64]),
                      x509.NameAttribute(NameOID.COMMON_NAME, f"{label[:40]} - AC ferme")])  # fmt: skip
    public = key.public_key()
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - datetime.timedelta(minutes=5))
        .not_valid_after(_now() + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    _write(key_path, _key_pem(key), private=True)
    _write(crt, cert.public_bytes(serialization.Encoding.PEM), private=False)
    return cert, key


def _fits(cert: x509.Certificate, fqdn: str, ca: x509.Certificate) -> bool:
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return False
    if [p.full_name[0].value for p in points if p.full_name] != [crl_url(fqdn)]:
        return False
    left = cert.not_valid_after_utc - _now()
    return (fqdn in names.get_values_for_type(x509.DNSName) and cert.issuer == ca.subject
            and left > datetime.timedelta(days=RENEW_DAYS))  # fmt: skip


def server_certificate(inventory: Path, fqdn: str, label: str) -> tuple[str, str]:
    """(certificate, private key) in PEM for `fqdn`, issued by the site CA when needed (the CA is not sent: clients
    trust it, and a server that sends its root only adds bytes to every handshake)."""
    ca, ca_key = site_ca(inventory, label)
    crt, key_path = inventory / FOLDER / f"{fqdn}.crt", inventory / FOLDER / f"{fqdn}.key"
    if crt.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(crt.read_bytes())
        if _fits(cert, fqdn, ca):
            return cert.public_bytes(serialization.Encoding.PEM).decode(), key_path.read_text()
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, fqdn)])).issuer_name(ca.subject)
        .public_key(public).serial_number(x509.random_serial_number())
        .not_valid_before(_now() - datetime.timedelta(minutes=5))
        .not_valid_after(_now() + datetime.timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(fqdn)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url(fqdn))], relative_name=None, reasons=None,
            crl_issuer=None)]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    _write(key_path, _key_pem(key), private=True)
    _write(crt, cert.public_bytes(serialization.Encoding.PEM), private=False)
    return cert.public_bytes(serialization.Encoding.PEM).decode(), _key_pem(key).decode()


def site_crl(inventory: Path, label: str) -> bytes:
    """The site CA's revocation list (DER; nothing revoked), made again when less than CRL_RENEW_DAYS are left."""
    ca, key = site_ca(inventory, label)
    path = inventory / FOLDER / f"{CA_NAME}.crl"
    if path.exists():
        crl = x509.load_der_x509_crl(path.read_bytes())
        left = (crl.next_update_utc or _now()) - _now()
        if crl.issuer == ca.subject and left > datetime.timedelta(days=CRL_RENEW_DAYS):
            return path.read_bytes()
    crl = (
        x509.CertificateRevocationListBuilder().issuer_name(ca.subject)
        .last_update(_now() - datetime.timedelta(minutes=5))
        .next_update(_now() + datetime.timedelta(days=CRL_DAYS))
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .add_extension(x509.CRLNumber(int(_now().timestamp())), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    data = crl.public_bytes(serialization.Encoding.DER)
    _write(path, data, private=False)
    return data
