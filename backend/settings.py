"""Every setting comes from the environment, with safe defaults for the embedded (dev) mode."""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

MODEL_MODULES = [
    "backend.domains.tenancy.models",
    "backend.domains.accounts.models",
    "backend.domains.auth.models",
    "backend.domains.residents.models",
    "backend.domains.audit.models",
    "backend.domains.imports.models",
    "backend.domains.files.models",
    "backend.domains.repairs.models",
    "backend.domains.notifications.models",
    "backend.domains.jobs.models",
    "backend.domains.trusted.models",
]


class SettingsError(RuntimeError):
    """Raised when production settings are missing or unsafe."""


SMS_BACKENDS = ("aliyun", "standin", "capture")
# Who must send operations by id (core/trusted.py): nobody, anonymous and owner callers, everyone.
TRUSTED_DOCUMENT_MODES = ("off", "owners", "all")
# Alibaba Cloud SMS's public endpoint (the SDK's own default for the mainland regions).
SMS_ALIYUN_ENDPOINT = "dysmsapi.aliyuncs.com"
# The SMS templates, by the name the code sends with: one per code purpose, and one for notices.
SMS_TEMPLATE_NAMES = ("login", "reset", "bind", "notice")
# Dev credentials for the local stand-in: it checks the SDK's signature with these; prod refuses them.
SMS_DEV_KEY_ID = "courtyard-dev-sms-key"
SMS_DEV_KEY_SECRET = "courtyard-dev-sms-secret"


@dataclass(frozen=True)
class Settings:
    env: str
    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    field_key: bytes  # 32 bytes: AES-GCM key for encrypted columns
    hash_key: bytes  # 32 bytes: HMAC key for the searchable hashes of encrypted columns
    host: str = "127.0.0.1"
    port: int = 8000
    sms_backend: str = "standin"  # aliyun | standin (dev: a local copy of the provider) | capture (tests)
    sms_access_key_id: str = ""
    sms_access_key_secret: str = ""
    sms_sign_name: str = ""
    # Template codes by name (SMS_TEMPLATE_NAMES): login, reset and bind take ${code}; notice ${subject}, ${status}.
    sms_templates: dict[str, str] = field(default_factory=dict)
    sms_endpoint: str = SMS_ALIYUN_ENDPOINT  # host[:port]; standin: a loopback address it listens on
    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com"
    access_token_ttl: int = 15 * 60
    refresh_token_ttl: int = 14 * 24 * 3600
    jwt_issuer: str = "courtyard"
    jwt_audience: str = "courtyard-api"
    allowed_origins: list[str] = field(default_factory=list)
    log_json: bool = True
    # Seconds between runs of the housekeeping job (expired positions, abandoned uploads); 0 turns it off.
    maintenance_interval: int = 900
    # Days a finished job run is kept (the housekeeping job trims older ones, keeping each job's latest few).
    job_run_retention_days: int = 30
    metrics_token: str = ""  # prod: /metrics answers only `Authorization: Bearer <token>` (404 when unset)
    # off: any document; owners: anonymous and owner callers run only trusted documents; all: everyone does
    trusted_documents: str = "off"

    @property
    def dev(self) -> bool:
        return self.env != "prod"


def _b64key(value: str, name: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except Exception as exc:  # noqa: BLE001 - any decoding problem is a settings error
        raise SettingsError(f"{name} is not base64") from exc
    if len(raw) != 32:
        raise SettingsError(f"{name} must decode to 32 bytes")
    return raw


def _dev_secrets(data_dir: Path) -> dict[str, str]:
    """Load the generated dev secrets from the data dir, creating them on first use."""
    path = data_dir / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    data_dir.mkdir(parents=True, exist_ok=True)
    values = {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "FIELD_HASH_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(values, indent=2))
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return values


def _sms_settings(env: dict[str, str], mode: str, port: int) -> dict[str, Any]:
    """SMS_* settings: prod must send through Alibaba Cloud with every credential and template set."""
    backend = env.get("SMS_BACKEND") or {"prod": "aliyun", "test": "capture"}.get(mode, "standin")
    if backend not in SMS_BACKENDS:
        raise SettingsError("SMS_BACKEND must be " + ", ".join(SMS_BACKENDS))
    templates = {name: env.get(f"SMS_TEMPLATE_{name.upper()}", "") for name in SMS_TEMPLATE_NAMES}
    values: dict[str, Any] = {
        "sms_backend": backend,
        "sms_access_key_id": env.get("SMS_ACCESS_KEY_ID", ""),
        "sms_access_key_secret": env.get("SMS_ACCESS_KEY_SECRET", ""),
        "sms_sign_name": env.get("SMS_SIGN_NAME", ""),
        "sms_templates": templates,
        "sms_endpoint": env.get("SMS_ENDPOINT", ""),
    }
    if mode == "prod" and backend != "aliyun":
        raise SettingsError("production sends SMS through Alibaba Cloud: set SMS_BACKEND=aliyun")
    if backend == "aliyun":
        names = ["SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME",
                 *(f"SMS_TEMPLATE_{name.upper()}" for name in SMS_TEMPLATE_NAMES)]
        missing = [name for name in names if not env.get(name, "").strip()]
        if missing:
            raise SettingsError("SMS_BACKEND=aliyun needs " + ", ".join(missing))
        if values["sms_access_key_secret"] == SMS_DEV_KEY_SECRET:
            raise SettingsError("SMS_ACCESS_KEY_SECRET is the development placeholder")
    else:
        # The stand-in and the test capture: placeholders, so a fresh checkout signs in by SMS with no account.
        values["sms_access_key_id"] = values["sms_access_key_id"] or SMS_DEV_KEY_ID
        values["sms_access_key_secret"] = values["sms_access_key_secret"] or SMS_DEV_KEY_SECRET
        values["sms_sign_name"] = values["sms_sign_name"] or "Courtyard"
        values["sms_templates"] = {name: code or f"SMS_DEV_{name.upper()}" for name, code in templates.items()}
    endpoint: str = values["sms_endpoint"] or (f"127.0.0.1:{port + 1}" if backend == "standin" else SMS_ALIYUN_ENDPOINT)
    if "/" in endpoint or not endpoint.strip():
        raise SettingsError("SMS_ENDPOINT is a host[:port], without scheme or path")
    if backend == "standin" and endpoint.rsplit(":", 1)[0] not in ("127.0.0.1", "localhost", "[::1]"):
        raise SettingsError("the SMS stand-in only listens on loopback: SMS_ENDPOINT=127.0.0.1:<port>")
    values["sms_endpoint"] = endpoint
    return values


def _retention_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise SettingsError("JOB_RUN_RETENTION_DAYS is a whole number of days") from None
    if days < 1:  # the jobs query counts failures over the last 24 hours
        raise SettingsError("JOB_RUN_RETENTION_DAYS must be at least 1")
    return days


def _trusted_documents(env: dict[str, str], mode: str) -> str:
    value = env.get("TRUSTED_DOCUMENTS", "").strip().lower() or ("owners" if mode == "prod" else "off")
    if value not in TRUSTED_DOCUMENT_MODES:
        raise SettingsError("TRUSTED_DOCUMENTS must be " + ", ".join(TRUSTED_DOCUMENT_MODES))
    return value


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from the environment; dev fills missing secrets, prod refuses to start."""
    env = dict(os.environ if environ is None else environ)
    mode = env.get("COURTYARD_ENV", "dev")
    if mode not in ("dev", "prod", "test"):
        raise SettingsError("COURTYARD_ENV must be dev, prod or test")
    data_dir = Path(env.get("COURTYARD_DATA_DIR", "./data")).resolve()
    database_url = env.get("DATABASE_URL") or f"sqlite://{data_dir / 'courtyard.sqlite3'}"
    needed = ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "FIELD_HASH_KEY")
    if mode == "prod":
        missing = [name for name in needed if not env.get(name)]
        if missing:
            raise SettingsError("production needs " + ", ".join(missing))
        if len(env["SECRET_KEY"]) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters")
    elif not all(env.get(name) for name in needed):
        generated = _dev_secrets(data_dir)
        for name in needed:
            env.setdefault(name, generated[name])
            if not env[name]:
                env[name] = generated[name]
    port = int(env.get("PORT", "8000"))
    origins = [o.strip() for o in env.get("ALLOWED_ORIGINS", "").split(",") if o.strip()]
    return Settings(
        env=mode,
        data_dir=data_dir,
        database_url=database_url,
        redis_url=env.get("REDIS_URL") or None,
        secret_key=env["SECRET_KEY"],
        field_key=_b64key(env["FIELD_ENCRYPTION_KEY"], "FIELD_ENCRYPTION_KEY"),
        hash_key=_b64key(env["FIELD_HASH_KEY"], "FIELD_HASH_KEY"),
        host=env.get("HOST", "127.0.0.1"),
        port=port,
        **_sms_settings(env, mode, port),
        wechat_appid=env.get("WECHAT_APPID", "wx-dev-appid"),
        wechat_secret=env.get("WECHAT_SECRET", "wx-dev-secret"),
        wechat_api_base=env.get("WECHAT_API_BASE", "https://api.weixin.qq.com"),
        allowed_origins=origins,
        log_json=env.get("LOG_FORMAT", "json") == "json",
        maintenance_interval=int(env.get("MAINTENANCE_INTERVAL", "0" if mode == "test" else "900")),
        job_run_retention_days=_retention_days(env.get("JOB_RUN_RETENTION_DAYS", "30")),
        metrics_token=env.get("METRICS_TOKEN", ""),
        trusted_documents=_trusted_documents(env, mode),
    )


_override: Settings | None = None


@lru_cache(maxsize=1)
def _cached() -> Settings:
    return load_settings()


def get_settings() -> Settings:
    """The process-wide settings (tests may install an override)."""
    return _override or _cached()


def override_settings(settings: Settings | None) -> None:
    """Install settings for tests or the CLI; None restores the environment's."""
    global _override
    _override = settings
    _cached.cache_clear()


async def _keep_session(connection: Any) -> None:
    """asyncpg's pool runs a reset statement (advisory unlock, CLOSE ALL, UNLISTEN, RESET ALL) on every release,
    one more round trip per statement Tortoise runs. Nothing here uses session state (no LISTEN, advisory locks,
    cursors outside transactions or SET), and an open transaction is still rolled back by the pool itself before
    this is called, so the release needs no statement."""


def _connection(url: str) -> str | dict[str, Any]:
    if not url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        return url
    from tortoise.backends.base.config_generator import expand_db_url

    config = expand_db_url(url)
    config["credentials"]["reset"] = _keep_session
    return config


def tortoise_config(database_url: str | None = None) -> dict[str, Any]:
    """The Tortoise config for the given (or configured) database URL."""
    url = database_url or get_settings().database_url
    return {
        "connections": {"default": _connection(url)},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "backend.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def __getattr__(name: str) -> Any:
    # `TORTOISE_ORM` for the tortoise CLI, resolved from the environment when first read.
    if name == "TORTOISE_ORM":
        return tortoise_config()
    raise AttributeError(name)
