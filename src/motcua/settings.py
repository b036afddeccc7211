"""Every setting of motcua in one typed object, read from ``MOTCUA_*`` environment variables.

Each field's description is its documentation (``motcua check-config`` prints them with the values,
secrets masked). Production is the default: what is unsafe outside a demo (the sandbox payment
provider, a development signing CA, a generated secret, public metrics) is refused by ``motcua
serve`` unless its ``MOTCUA_ALLOW_*`` setting names it (``unsafe()`` lists them).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return platformdirs.user_data_path("motcua", appauthor=False)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_", extra="ignore", frozen=True)

    mode: Literal["production", "demo"] = Field(
        "production", description="production (default) refuses unsafe settings; demo allows them all."
    )
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Folder of the embedded database, attachments, generated keys and the development CA "
        "(default: the user's data directory).",
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL, e.g. postgresql+psycopg://motcua@db/motcua (default: SQLite in data_dir)."
    )
    replica_url: str | None = Field(
        None,
        description="A PostgreSQL streaming replica for the reads that tolerate lag (public tracking, open data); "
        "the primary takes them whenever it fails.",
    )
    db_pool_size: int = Field(
        8,
        ge=1,
        le=500,
        description="Connections kept per process, and the size of its async pool: keep processes × 2 × "
        "(this + db_max_overflow) under the database's max_connections.",
    )
    db_max_overflow: int = Field(2, ge=0, le=500, description="Connections opened beyond the pool under load.")
    db_pool_timeout: float = Field(
        3.0, gt=0, le=60, description="Seconds a request waits for a connection before it is answered 503."
    )
    db_statement_timeout_ms: int = Field(
        5000, ge=0, description="PostgreSQL statement timeout (0: none); a slow query cannot hold a connection longer."
    )
    db_pre_ping: bool = Field(False, description="Check each pooled connection before use (networks that drop idle).")
    db_pgbouncer: bool = Field(
        False,
        description="Connections to database_url go through PgBouncer in transaction mode: no server-side prepared "
        "statements and no per-connection options (set statement_timeout and idle_in_transaction_session_timeout on "
        "the role). The replica_url is reached directly.",
    )
    threads: int = Field(4, ge=1, le=256, description="Handler threads per server process.")
    max_in_flight: int = Field(
        128,
        ge=0,
        le=100_000,
        description="Requests one server process works on at once; the next is refused at once with 503 and "
        "Retry-After (a queue that only grows answers nobody in time). 0: no limit.",
    )
    gc_freeze: bool = Field(True, description="Move long-lived objects out of the garbage collector at start-up.")
    count_queries: bool = Field(False, description="Benchmarks: report the SQL count of each request.")
    public_cache_seconds: int = Field(
        2,
        ge=0,
        le=60,
        description="How long a shared cache (the reverse proxy's micro-cache, deploy/nginx/motcua.conf.template) "
        "may serve the public reads everyone makes — procedure search and tracking by code — without asking again; "
        "0: never.",
    )

    public_url: str = Field(
        "http://127.0.0.1:8000", description="The portal's public address (QR codes, links in PDFs and e-mails)."
    )
    secret_key: SecretStr | None = Field(None, description="Key signing the session cookies.")
    chain_key: SecretStr | None = Field(None, description="Key of the event logs' hash chains (HMAC-SHA-256).")
    seal_key_file: Path | None = Field(
        None, description="Ed25519 private key (JWK file) signing the daily seals of the logs."
    )
    secure_cookies: bool = Field(True, description="Cookies only over HTTPS (turn off for plain-http demos).")
    session_max_age: int = Field(8 * 3600, ge=60, description="Seconds a browser session lasts.")
    token_lifetime_days: int = Field(90, ge=1, le=3650, description="Lifetime of a new API token.")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses of reverse proxies whose X-Forwarded-For is believed (none by default).",
    )
    redis_url: str | None = Field(
        None, description="Redis shared by every process for rate limits and sessions (default: per process)."
    )
    signin_per_account: int = Field(10, ge=1, description="Failed sign-ins per account and address before back-off.")
    signin_per_address: int = Field(60, ge=1, description="Sign-in attempts per client address in 5 minutes.")
    submissions_per_account: int = Field(60, ge=1, description="Submissions per account per minute (API and pages).")
    max_body_bytes: int = Field(1024 * 1024, ge=1024, description="Largest JSON or form body accepted.")
    max_attachment_bytes: int = Field(8 * 1024 * 1024, ge=1024, description="Largest attachment accepted.")
    max_exchange_bytes: int = Field(
        64 * 1024 * 1024, ge=1024, description="Largest message between nodes (a whole catalog, a dossier's files)."
    )

    payment_provider: str = Field("sandbox", description="Payment provider (sandbox is for demos only).")
    payment_secret: SecretStr | None = Field(None, description="Secret shared with the payment provider.")

    email_provider: str = Field(
        "smtp", description="E-mail provider: smtp (needs smtp_host; without it no e-mail is sent) or sandbox (demos)."
    )
    smtp_host: str = Field("", description="SMTP server the e-mails go through (empty: no e-mail).")
    smtp_port: int = Field(587, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        "starttls", description="starttls (default), ssl (implicit TLS, port 465) or none (a local relay only)."
    )
    smtp_username: str = Field("", description="SMTP account (empty: no authentication).")
    smtp_password: SecretStr | None = Field(None, description="Password of smtp_username.")
    mail_from: str = Field("motcua <no-reply@motcua.gov.vn>", description="Sender of the e-mails.")
    email_rate_limit: str = Field(
        "500/second", description="Most e-mails sent, all workers together (limits' notation)."
    )
    sms_provider: str = Field(
        "", description="SMS provider: sms_http (a brand-name gateway) or sandbox; empty: no SMS."
    )
    sms_api_url: str = Field("", description="The SMS gateway's send address.")
    sms_api_key: SecretStr | None = Field(None, description="The SMS gateway's API key.")
    sms_brandname: str = Field("", description="The registered brand name the SMS come from.")
    sms_rate_limit: str = Field("50/second", description="Most SMS sent, all workers together.")
    app_provider: str = Field(
        "", description="App message provider: app_http (a ZNS-style API) or sandbox; empty: none."
    )
    app_api_url: str = Field("", description="The app message platform's send address.")
    app_api_token: SecretStr | None = Field(None, description="The app message platform's access token.")
    app_template_ids: dict[str, str] = Field(
        default_factory=dict,
        description='motcua template → the platform\'s approved template id, as JSON {"dossier_received": "231001"}.',
    )
    app_rate_limit: str = Field("50/second", description="Most app messages sent, all workers together.")
    notify_receipt_secret: SecretStr | None = Field(
        None, description="Key the providers sign their delivery receipts with (HMAC-SHA-256); unset: receipts refused."
    )
    notify_retry_hours: float = Field(
        24.0, gt=0, description="How long a temporary failure is retried before the message counts as failed."
    )
    notify_lease_seconds: float = Field(60.0, gt=0, description="How long a sending worker holds a message.")
    ocr_command: str = Field(
        "ocrmypdf",
        description="OCRmyPDF from the distribution (apt-get install ocrmypdf tesseract-ocr-vie): makes a "
        "searchable PDF/A of a scanned component, offline.",
    )
    ocr_languages: str = Field("vie", description="Tesseract's languages for the scans, e.g. vie or vie+eng.")
    ocr_timeout_seconds: float = Field(
        300.0, gt=0, description="How long the OCR of one component may run before it is stopped (then retried)."
    )
    ocr_memory_mb: int = Field(
        2048, ge=256, description="Address space the OCR of one component may use (its processes are stopped past it)."
    )
    ocr_max_pages: int = Field(50, ge=1, le=1000, description="Pages one scanned component may have.")
    ocr_max_pixels: int = Field(
        60_000_000,
        ge=1_000_000,
        description="Pixels one scanned image may have (an A4 page at 600 dpi has 35 million).",
    )
    ocr_lease_seconds: float = Field(
        600.0, gt=0, description="How long a worker holds an OCR job; a job whose worker died is taken over after it."
    )
    ocr_attempts: int = Field(3, ge=1, le=20, description="Tries of an OCR job before it counts as failed.")
    supervision_hour: int = Field(
        7,
        ge=0,
        le=23,
        description="Hour (Vietnam time) from which the worker sends each working day's alerts and digests.",
    )
    allow_sandbox_notifications: bool = Field(
        False, description="Allow the sandbox notification provider outside the demo."
    )

    signing_p12: Path | None = Field(None, description="PKCS#12 file of the key signing results.")
    signing_password: SecretStr | None = Field(None, description="Password of signing_p12.")
    signing_trust: list[Path] = Field(default_factory=list, description="Trusted root certificates (PEM or DER).")
    signing_tsa_url: str | None = Field(None, description="RFC 3161 time-stamping authority for signatures.")
    signing_crls: list[Path] = Field(default_factory=list, description="CRL files of the signing CA (offline).")
    signing_fetch_revocation: bool = Field(
        False, description="Fetch CRLs and OCSP answers named in certificates when verifying."
    )

    storage_dir: Path | None = Field(None, description="Attachments folder (default: data_dir/attachments).")
    s3_bucket: str | None = Field(None, description="S3-compatible bucket for attachments instead of a folder.")
    s3_endpoint: str | None = Field(None, description="Endpoint of the S3-compatible store.")

    metrics_token: SecretStr | None = Field(None, description="Bearer token required by /metrics.")
    allow_sandbox_payments: bool = Field(False, description="Allow the sandbox payment provider outside the demo.")
    allow_local_public_url: bool = Field(
        False, description="Allow a loopback public_url (localhost, 127.x) outside the demo: links nobody else reaches."
    )
    allow_development_ca: bool = Field(False, description="Allow signing with a generated development CA.")
    allow_generated_secret: bool = Field(False, description="Allow secrets generated into data_dir.")
    allow_public_metrics: bool = Field(False, description="Allow /metrics without a token.")

    exchange_member: str = Field("", description="This node in the exchange: national or province-<code>.")
    exchange_key: Path | None = Field(None, description="This node's private key (JWK file).")
    relay_lease_seconds: float = Field(60.0, gt=0, description="How long a relay worker holds a message it sends.")

    oidc_issuer: str = Field("", description="OpenID Connect provider (e.g. VNeID); empty: local accounts only.")
    oidc_client_id: str = Field("motcua", description="OIDC client id.")
    oidc_client_secret: SecretStr | None = Field(None, description="OIDC client secret.")
    oidc_name: str = Field("VNeID", description="Label of the OIDC sign-in button.")
    oidc_id_claim: str = Field("personal_id", description="Claim holding the citizen's ID number.")

    index_config: Path | None = Field(None, description="Replacement for the Decision 766 index data.")
    log_format: Literal["json", "text"] = Field("json", description="Log lines as JSON (default) or text.")
    log_level: str = Field("INFO", description="Level of the logs.")
    log_file: Path | None = Field(None, description="Append the logs to this file too (default: stderr only).")

    # -- derived --------------------------------------------------------------------------------

    @property
    def demo(self) -> bool:
        return self.mode == "demo"

    def database(self) -> str:
        if self.database_url:
            return self.database_url
        path = self.data_dir / "motcua.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"

    def attachments_dir(self) -> Path:
        return self.storage_dir or self.data_dir / "attachments"

    def generated_secret(self, name: str) -> str:
        """A secret kept in ``data_dir/secrets/<name>``, made on first use (0600)."""
        path = self.data_dir / "secrets" / name
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(value)
        return value

    def session_secret(self) -> str:
        return self.secret_key.get_secret_value() if self.secret_key else self.generated_secret("session_key")

    def chain_secret(self) -> bytes:
        value = self.chain_key.get_secret_value() if self.chain_key else self.generated_secret("chain_key")
        return value.encode()


@dataclass(frozen=True)
class Unsafe:
    what: str
    allow: str  # the setting that allows it by name
    fix: str


def unsafe(s: Settings) -> list[Unsafe]:
    """What this configuration does that production must not do without saying so."""
    found: list[Unsafe] = []
    if s.demo:
        return found
    if s.payment_provider == "sandbox" and not s.allow_sandbox_payments:
        found.append(
            Unsafe(
                "the sandbox payment provider confirms payments nobody made",
                "MOTCUA_ALLOW_SANDBOX_PAYMENTS=1",
                "set MOTCUA_PAYMENT_PROVIDER to a real gateway",
            )
        )
    if s.signing_p12 is None and not s.allow_development_ca:
        found.append(
            Unsafe(
                "results would be signed by a generated development CA",
                "MOTCUA_ALLOW_DEVELOPMENT_CA=1",
                "set MOTCUA_SIGNING_P12, MOTCUA_SIGNING_PASSWORD and MOTCUA_SIGNING_TRUST",
            )
        )
    sandboxed = [
        c
        for c, name in (("email", s.email_provider), ("sms", s.sms_provider), ("app", s.app_provider))
        if name == "sandbox"
    ]
    if sandboxed and not s.allow_sandbox_notifications:
        found.append(
            Unsafe(
                "the sandbox notification provider would drop the messages of: " + ", ".join(sandboxed),
                "MOTCUA_ALLOW_SANDBOX_NOTIFICATIONS=1",
                "set " + ", ".join(f"MOTCUA_{c.upper()}_PROVIDER" for c in sandboxed) + " to a real provider",
            )
        )
    generated = [n for n, v in (("MOTCUA_SECRET_KEY", s.secret_key), ("MOTCUA_CHAIN_KEY", s.chain_key)) if v is None]
    if s.seal_key_file is None:
        generated.append("MOTCUA_SEAL_KEY_FILE")
    if generated and not s.allow_generated_secret:
        found.append(
            Unsafe(
                "secrets would be generated into the data folder: " + ", ".join(generated),
                "MOTCUA_ALLOW_GENERATED_SECRET=1",
                "set " + ", ".join(generated),
            )
        )
    if _loopback(s.public_url) and not s.allow_local_public_url:
        found.append(
            Unsafe(
                f"QR codes and links in PDFs and messages would point to {s.public_url}, which citizens cannot reach",
                "MOTCUA_ALLOW_LOCAL_PUBLIC_URL=1",
                "set MOTCUA_PUBLIC_URL to the portal's public address",
            )
        )
    if s.metrics_token is None and not s.allow_public_metrics:
        found.append(Unsafe("/metrics would be public", "MOTCUA_ALLOW_PUBLIC_METRICS=1", "set MOTCUA_METRICS_TOKEN"))
    return found


def _loopback(url: str) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.") or host.endswith(".localhost")


class UnsafeConfiguration(RuntimeError):
    def __init__(self, problems: list[Unsafe]) -> None:
        lines = [f"- {p.what}: {p.fix}, or allow it with {p.allow}" for p in problems]
        super().__init__("motcua will not start in production with:\n" + "\n".join(lines))
        self.problems = problems


_cache: dict[tuple[tuple[str, str], ...], Settings] = {}


def get_settings() -> Settings:
    """The settings for the current environment (re-read when a ``MOTCUA_*`` variable changes)."""
    key = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("MOTCUA_")))
    found = _cache.get(key)
    if found is None:
        found = Settings()
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = found
    return found


def describe(s: Settings) -> list[tuple[str, str, str]]:
    """(variable, value with secrets masked, description) for every setting."""
    rows = []
    for name, info in type(s).model_fields.items():
        value = getattr(s, name)
        if isinstance(value, SecretStr):
            shown = "********"
        elif value is None:
            shown = "(not set)"
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value) or "(none)"
        else:
            shown = str(value)
        if name in ("database_url", "replica_url", "redis_url") and value:
            from sqlalchemy import make_url

            try:
                shown = make_url(str(value)).render_as_string(hide_password=True)
            except Exception:
                shown = "********"
        rows.append((f"MOTCUA_{name.upper()}", shown, info.description or ""))
    return rows
