"""The process's configuration: CRM_* environment variables (pydantic-settings), read by api/,
jobs/ and migrations/ alike."""

import secrets
from functools import cached_property
from pathlib import Path

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

VAR_DIR = Path(__file__).resolve().parent.parent / "var"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CRM_", extra="ignore")

    database_url: str = f"sqlite:///{VAR_DIR / 'crm.db'}"
    secret_key: str | None = None
    timezone: str = "Asia/Shanghai"
    host: str = "127.0.0.1"
    port: int = 8000
    admin_password: str | None = None
    access_token_minutes: int = 30
    refresh_token_days: int = 14
    # Optional e-mail of notifications: smtp[s]://user:pass@host:port?from=crm@example.com
    # &starttls=1 (unset: in-app inbox only).
    smtp_url: str | None = None
    # Webhooks may be sent to private, loopback and link-local addresses (tests, a receiver on
    # the same network); off, such URLs are refused on save and before each delivery (SSRF).
    webhooks_allow_private: bool = False
    jobs: bool = True  # CRM_JOBS=off: `crm serve` runs no scheduled jobs
    var_dir: Path = VAR_DIR
    # Uploaded files; never inside a folder the app serves (frontend_dist).
    attachments_dir: Path = VAR_DIR / "attachments"
    # Logs: `text` or `json` (one object per line); the app's level. /metrics needs this token
    # (`Authorization: Bearer …`) and is off without one.
    log_format: str = "text"
    log_level: str = "info"
    metrics_token: str | None = None
    # Backups (`crm backup`, the daily `backup` job): where they go, how many are kept (the newest
    # per day, ISO week and month), and the PostgreSQL client tools (found on PATH by default).
    backup_dir: Path = VAR_DIR / "backups"
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 4
    backup_keep_monthly: int = 12
    pg_dump: str = "pg_dump"
    pg_restore: str = "pg_restore"
    frontend_dist: Path = Path(__file__).resolve().parent.parent / "frontend" / "dist"
    # Trend alerts: a ticket type surges at this many times its weekly average of the four
    # weeks before, with at least trend_surge_min tickets; first response below this rate.
    trend_surge_factor: float = 2.0
    trend_surge_min: int = 5
    trend_first_response_rate: float = 0.9

    @field_validator("database_url")
    @classmethod
    def _postgres_scheme(cls, value: str) -> str:
        # Heroku-style `postgres://` is PostgreSQL too (SQLAlchemy knows only `postgresql`).
        return "postgresql" + value[len("postgres") :] if value.startswith("postgres://") else value

    @model_validator(mode="after")
    def _backups_under_var(self) -> "Settings":
        # Unless set, backups go under var_dir, wherever CRM_VAR_DIR puts it.
        if "backup_dir" not in self.model_fields_set:
            self.backup_dir = self.var_dir / "backups"
        return self

    @cached_property
    def signing_key(self) -> str:
        """The JWT key: CRM_SECRET_KEY, else one generated once and kept under var/."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if not path.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()
