"""Signing PDFs as PAdES with pyHanko, and verifying them.

The signing key comes from a PKCS#12 file (``MOTCUA_SIGNING_P12`` and ``MOTCUA_SIGNING_PASSWORD``,
with the trusted roots in ``MOTCUA_SIGNING_TRUST``, the CA's CRLs in ``MOTCUA_SIGNING_CRLS`` and an
RFC 3161 time-stamping authority in ``MOTCUA_SIGNING_TSA_URL``). Without them, and only where
``MOTCUA_ALLOW_DEVELOPMENT_CA`` or the demo allows it, a development certificate authority and signer
are generated under ``<data dir>/signing/`` — clearly named as such, never to be used in production.
Verifying never creates anything.

Every document names its dossier in its Subject (``forms.binding``): a check against a dossier code
refuses a genuine document of another dossier.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext

from motcua.documents.forms import BINDING_PREFIX
from motcua.settings import get_settings


class SigningNotConfigured(RuntimeError):
    """No key to sign with, and a development CA is not allowed here."""


DEV_PASSWORD = "motcua-development-only"


@dataclass(frozen=True)
class SigningConfig:
    p12: Path
    password: bytes
    trust_roots: tuple[Path, ...]
    crls: tuple[Path, ...] = ()
    tsa_url: str | None = None
    development: bool = False
    fetch_revocation: bool = False


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
    (directory / "dev-ca-key.pem").write_bytes(
        ca_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(DEV_PASSWORD.encode()),
        )
    )
    write_dev_crl(directory, revoked=())
    return _dev_config(directory)


def _dev_config(directory: Path) -> SigningConfig:
    return SigningConfig(
        directory / "dev-signer.p12",
        DEV_PASSWORD.encode(),
        (directory / "dev-ca.pem",),
        crls=(directory / "dev-ca.crl",),
        development=True,
    )


def _dev_ca(directory: Path) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    cert = x509.load_pem_x509_certificate((directory / "dev-ca.pem").read_bytes())
    key = serialization.load_pem_private_key((directory / "dev-ca-key.pem").read_bytes(), DEV_PASSWORD.encode())
    assert isinstance(key, rsa.RSAPrivateKey)
    return cert, key


def write_dev_crl(directory: Path, revoked: tuple[int, ...]) -> Path:
    """The development CA's certificate revocation list, naming the ``revoked`` serial numbers."""
    cert, key = _dev_ca(directory)
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(cert.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=30))
    )
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(now - dt.timedelta(minutes=1))
            .build()
        )
    path = directory / "dev-ca.crl"
    path.write_bytes(builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
    return path


def _keep_dev_crl_fresh(directory: Path) -> None:
    """The development CA's CRL is re-issued a week before it lapses (its revocations kept)."""
    path = directory / "dev-ca.crl"
    if not path.exists() or not (directory / "dev-ca-key.pem").exists():
        return
    current = x509.load_der_x509_crl(path.read_bytes())
    lapses = current.next_update_utc
    if lapses is not None and lapses - dt.datetime.now(dt.UTC) > dt.timedelta(days=7):
        return
    write_dev_crl(directory, revoked=tuple(r.serial_number for r in current))


def signer_serial(config: SigningConfig) -> int:
    _key, cert, _chain = pkcs12.load_key_and_certificates(config.p12.read_bytes(), config.password)
    assert cert is not None
    return cert.serial_number


def issue_dev_tsa(directory: Path) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A time-stamping certificate from the development CA (for a local TSA in tests and demos)."""
    ca_cert, ca_key = _dev_ca(directory)
    now = dt.datetime.now(dt.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("motcua development TSA"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def signing_config(*, create: bool = True) -> SigningConfig:
    """The configured signing key; else the development CA of the data folder, made on first use where
    allowed (``create=False``: never made, as when verifying)."""
    settings = get_settings()
    if settings.signing_p12:
        password = settings.signing_password.get_secret_value() if settings.signing_password else ""
        return SigningConfig(
            settings.signing_p12,
            password.encode(),
            tuple(settings.signing_trust),
            crls=tuple(settings.signing_crls),
            tsa_url=settings.signing_tsa_url,
            fetch_revocation=settings.signing_fetch_revocation,
        )
    directory = settings.data_dir / "signing"
    if (directory / "dev-signer.p12").exists():
        _keep_dev_crl_fresh(directory)
        return _with_tsa(_dev_config(directory), settings.signing_tsa_url)
    if not create:
        raise SigningNotConfigured(
            "no signing key is configured (MOTCUA_SIGNING_P12) and there is no development CA in "
            f"{directory}: give the trusted roots with --trust"
        )
    if not (settings.allow_development_ca or settings.demo):
        raise SigningNotConfigured(
            "no signing key is configured: set MOTCUA_SIGNING_P12, MOTCUA_SIGNING_PASSWORD and "
            "MOTCUA_SIGNING_TRUST, or allow a development CA with MOTCUA_ALLOW_DEVELOPMENT_CA=1"
        )
    return _with_tsa(create_dev_authority(directory), settings.signing_tsa_url)


def _with_tsa(config: SigningConfig, url: str | None) -> SigningConfig:
    from dataclasses import replace

    return replace(config, tsa_url=url) if url else config


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
    timestamper = HTTPTimeStamper(config.tsa_url) if config.tsa_url else None
    out = signers.sign_pdf(writer, meta, signer=signer, timestamper=timestamper)
    return bytes(out.getvalue())


@dataclass
class SignatureCheck:
    valid: bool
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    revocation_checked: bool = False
    timestamped: bool = False
    dossier: str = ""  # the dossier code the document names
    binding: str = ""  # its whole Subject (the code and the decision event's hash)
    signer: str = ""
    signed_at: str = ""
    problems: list[str] = field(default_factory=list)


def _der(path: Path) -> bytes:
    """A certificate's or a CRL's bytes, PEM armour removed."""
    raw = path.read_bytes()
    if b"-----BEGIN" in raw:
        from asn1crypto import pem

        _, _, raw = pem.unarmor(raw)
    return raw


def load_roots(paths: tuple[Path, ...]) -> list[asn1_x509.Certificate]:
    return [asn1_x509.Certificate.load(_der(p)) for p in paths]


def load_crls(paths: tuple[Path, ...]) -> list[asn1_crl.CertificateList]:
    return [asn1_crl.CertificateList.load(_der(p)) for p in paths]


def _subject(reader: PdfFileReader) -> str:
    try:
        info = reader.trailer_view["/Info"]
        return str(info.get("/Subject", ""))
    except (KeyError, TypeError, AttributeError):
        return ""


def verify_pdf(
    data: bytes,
    trust_roots: list[asn1_x509.Certificate],
    *,
    crls: list[asn1_crl.CertificateList] | None = None,
    fetch: bool = False,
    dossier_code: str | None = None,
) -> SignatureCheck:
    """Check a signed PDF: intact, by a certificate chaining to ``trust_roots``, not revoked (when
    CRLs are given or fetching is allowed), covering the whole file, and — with ``dossier_code`` —
    belonging to that dossier."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:
        return SignatureCheck(False, problems=[f"not a readable PDF: {exc}"])
    if not signatures:
        return SignatureCheck(False, problems=["the PDF carries no signature"])
    sig = signatures[-1]
    checks_revocation = bool(crls) or fetch
    context = ValidationContext(
        trust_roots=trust_roots,
        crls=crls or None,
        allow_fetching=fetch,
        # Given the CA's CRLs, every certificate must be covered by one ("require"); fetching alone
        # fails hard on what the certificates point to.
        revocation_mode="require" if crls else "hard-fail" if fetch else "soft-fail",
    )
    try:
        status = validate_pdf_signature(
            sig, context, ts_validation_context=ValidationContext(trust_roots=trust_roots, allow_fetching=fetch)
        )
    except (SignatureValidationError, ValueError) as exc:
        return SignatureCheck(False, problems=[f"the signature cannot be validated: {exc}"])
    whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    subject = _subject(reader)
    named = subject[len(BINDING_PREFIX) :].split(" ")[0] if subject.startswith(BINDING_PREFIX) else ""
    revoked = status.revocation_details is not None
    check = SignatureCheck(
        valid=bool(status.intact and status.valid and status.trusted and whole and not revoked),
        intact=bool(status.intact),
        trusted=bool(status.trusted),
        covers_whole_file=whole,
        revocation_checked=checks_revocation,
        timestamped=status.timestamp_validity is not None,
        dossier=named,
        binding=subject,
        signer=status.signing_cert.subject.human_friendly,
        signed_at=str(status.signer_reported_dt or ""),
    )
    if not status.intact:
        check.problems.append("the document was changed after it was signed")
    if revoked:
        check.problems.append("the signer's certificate was revoked")
    elif not status.trusted:
        check.problems.append(
            "the signer's certificate does not chain to a trusted root"
            + (" or its revocation status is unknown" if checks_revocation else "")
        )
    if not whole:
        check.problems.append("the signature does not cover the whole file")
    if status.timestamp_validity is not None and not status.timestamp_validity.valid:
        check.problems.append("the signature's time-stamp is not valid")
    if dossier_code is not None and named != dossier_code:
        check.valid = False
        check.problems.append(f"the document belongs to dossier {named or '(none named)'}, not {dossier_code}")
    return check


def verify_for(data: bytes, config: SigningConfig, dossier_code: str | None = None) -> SignatureCheck:
    """``verify_pdf`` against a signing configuration's roots and CRLs."""
    return verify_pdf(
        data,
        load_roots(config.trust_roots),
        crls=load_crls(config.crls) or None,
        fetch=config.fetch_revocation,
        dossier_code=dossier_code,
    )
