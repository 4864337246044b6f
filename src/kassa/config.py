"""Settings, read from the environment with the ``KASSA_`` prefix (or a ``.env`` file)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KASSA_", env_file=".env", extra="ignore")

    # Where Kassa keeps its own state when no external database is given: the embedded
    # PostgreSQL cluster, the generated secret key, recorded development SMS messages.
    data_dir: Path = Path("var")
    # An external PostgreSQL (postgresql://...). Empty means: start the embedded one.
    database_url: str = ""
    database_name: str = "kassa"
    db_pool_size: int = 10
    db_max_overflow: int = 20

    # Signing key for tokens. Empty means: generate one into the data folder on first start,
    # so nothing secret ever lives in the repository.
    secret_key: SecretStr = SecretStr("")
    access_token_minutes: int = 15
    refresh_token_days: int = 14
    mfa_token_minutes: int = 5
    password_setup_hours: int = 48
    cookie_secure: bool = True
    public_base_url: str = "http://127.0.0.1:8000"

    # Login protection.
    login_attempts_per_ip_per_minute: int = 20
    login_attempts_per_account_per_minute: int = 10
    lockout_threshold: int = 5
    lockout_base_seconds: int = 30
    lockout_max_seconds: int = 3600
    otp_max_attempts: int = 5
    otp_ttl_seconds: int = 300
    # "memory://" for one process; "redis://host:6379" when several processes share limits.
    rate_limit_storage: str = "memory://"

    max_body_bytes: int = 1_048_576
    # POST /api/v1/ledger/transfers answered on the event loop, group-committed
    # (kassa.ledger.fastpath); off, the route itself serves every request.
    http_fast_transfers: bool = True
    # How long a group of fast transfers may wait for the callers that were lately served
    # together to come back (kassa.kit.asyncgroup); 0: a group starts as soon as it can.
    http_fast_transfers_gather_ms: float = Field(default=2.0, ge=0, le=50)

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    smtp_sender: str = "Kassa <no-reply@kassa.example>"

    # "dev" records SMS messages in the database (offline demo); "http" posts them to a provider.
    sms_backend: str = "dev"
    sms_http_url: str = ""
    sms_http_token: SecretStr = SecretStr("")
    sms_http_sender: str = "Kassa"

    log_level: str = "INFO"
    log_json: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    web_dist: Path = Path("web/dist")

    @property
    def embedded(self) -> bool:
        return not self.database_url

    def signing_key(self) -> str:
        """The token signing key: from settings, else generated once into the data folder."""
        configured = self.secret_key.get_secret_value()
        if configured:
            return configured
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    get_settings.cache_clear()


__all__ = ["Settings", "get_settings", "reset_settings_cache"]
