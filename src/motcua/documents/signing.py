"""Signing PDFs as PAdES with pyHanko, and verifying them.

The signing key comes from a PKCS#12 file (``MOTCUA_SIGNING_P12`` and ``MOTCUA_SIGNING_PASSWORD``,
with the trusted roots in ``MOTCUA_SIGNING_TRUST``). Without them, a development certificate
authority and signer are generated on first use under ``var/signing/`` — clearly named as such,
never to be used in production.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext

DEV_PASSWORD = "motcua-development-only"


@dataclass(frozen=True)
class SigningConfig:
    p12: Path
    password: bytes
    trust_roots: tuple[Path, ...]


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "motcua (development only)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def create_dev_authority(directory: Path) -> SigningConfig:
    """A throw-away CA and a signer certificate it issued, for development and tests."""
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("motcua development CA"))
        .issuer_name(_name("motcua development CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Ủy ban nhân dân (development signer)"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    p12 = directory / "dev-signer.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"motcua-dev-signer", key, cert, [ca_cert], serialization.BestAvailableEncryption(DEV_PASSWORD.encode())
        )
    )
    ca = directory / "dev-ca.pem"
    ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    return SigningConfig(p12, DEV_PASSWORD.encode(), (ca,))


def signing_config(base: Path | None = None) -> SigningConfig:
    p12 = os.environ.get("MOTCUA_SIGNING_P12")
    if p12:
        trust = tuple(Path(p) for p in os.environ.get("MOTCUA_SIGNING_TRUST", "").split(os.pathsep) if p)
        return SigningConfig(Path(p12), os.environ.get("MOTCUA_SIGNING_PASSWORD", "").encode(), trust)
    directory = (base or Path.cwd()) / "var" / "signing"
    if (directory / "dev-signer.p12").exists():
        return SigningConfig(directory / "dev-signer.p12", DEV_PASSWORD.encode(), (directory / "dev-ca.pem",))
    return create_dev_authority(directory)


def sign_pdf(data: bytes, config: SigningConfig, reason: str = "Ký số kết quả giải quyết thủ tục hành chính") -> bytes:
    signer = signers.SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
        pfx_file=str(config.p12), passphrase=config.password
    )
    if signer is None:
        raise ValueError(f"cannot load the signing key from {config.p12} (wrong password?)")
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(
        field_name="ChuKySo",
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location="Việt Nam",
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return bytes(out.getvalue())


@dataclass
class SignatureCheck:
    valid: bool
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer: str = ""
    signed_at: str = ""
    problems: list[str] = field(default_factory=list)


def load_roots(paths: tuple[Path, ...]) -> list[asn1_x509.Certificate]:
    roots = []
    for p in paths:
        raw = p.read_bytes()
        if b"-----BEGIN" in raw:
            from asn1crypto import pem

            _, _, raw = pem.unarmor(raw)
        roots.append(asn1_x509.Certificate.load(raw))
    return roots


def verify_pdf(data: bytes, trust_roots: list[asn1_x509.Certificate]) -> SignatureCheck:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:
        return SignatureCheck(False, problems=[f"not a readable PDF: {exc}"])
    if not signatures:
        return SignatureCheck(False, problems=["the PDF carries no signature"])
    sig = signatures[-1]
    try:
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=trust_roots, allow_fetching=False))
    except (SignatureValidationError, ValueError) as exc:
        return SignatureCheck(False, problems=[f"the signature cannot be validated: {exc}"])
    whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    check = SignatureCheck(
        valid=bool(status.intact and status.valid and status.trusted and whole),
        intact=bool(status.intact),
        trusted=bool(status.trusted),
        covers_whole_file=whole,
        signer=status.signing_cert.subject.human_friendly,
        signed_at=str(status.signer_reported_dt or ""),
    )
    if not status.intact:
        check.problems.append("the document was changed after it was signed")
    if not status.trusted:
        check.problems.append("the signer's certificate does not chain to a trusted root")
    if not whole:
        check.problems.append("the signature does not cover the whole file")
    return check
