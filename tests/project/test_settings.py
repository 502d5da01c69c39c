import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def _run(*args, env_extra):
    env = {
        k: v
        for k, v in os.environ.items()
        # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not reach a production check.
        if k not in ("DEBUG", "SECRET_KEY", "SINERGI_TESTING", "FIELD_ENCRYPTION_KEYS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_production_settings():
    result = _run(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "DEBUG": "0",
            "SECRET_KEY": "x" * 30 + "-a-real-production-secret-key-!",
            "ALLOWED_HOSTS": "sinergi.example.sch.id",
            # Two keys, newest first, as during a key rotation.
            "FIELD_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key():
    result = _run("check", env_extra={"DEBUG": "0", "ALLOWED_HOSTS": "sinergi.example.sch.id"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_field_encryption_keys():
    result = _run(
        "check",
        env_extra={"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "sinergi.example.sch.id"},
    )
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off." in result.stderr


def test_check_deploy_refuses_the_development_encryption_key():
    from common.crypto import INSECURE_DEVELOPMENT_KEY

    result = _run(
        "check",
        "--deploy",
        env_extra={
            "DEBUG": "0",
            "SECRET_KEY": "x" * 30 + "-a-real-production-secret-key-!",
            "ALLOWED_HOSTS": "sinergi.example.sch.id",
            "FIELD_ENCRYPTION_KEYS": INSECURE_DEVELOPMENT_KEY,
        },
    )
    assert result.returncode != 0
    assert "privacy.E002" in result.stderr


def test_sqlite_default_is_tuned_for_concurrent_users(settings):
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite-only settings")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["timeout"] >= 5


def test_defaults(settings):
    assert os.environ.get("TIME_ZONE", "Asia/Jakarta") == settings.TIME_ZONE
    assert dict(settings.LANGUAGES).keys() == {"id", "en"}
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE
    assert settings.AUTH_USER_MODEL == "accounts.User"


STORAGE_PROBE = (
    "from django.core.files.storage import storages; s = storages['default']; "
    "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.location, s.default_acl, s.file_overwrite)"
)


def test_uploads_can_live_on_s3_compatible_storage():
    """Several app processes share uploads and exports: S3_BUCKET puts them on
    S3-compatible storage (django-storages), private, never overwritten."""
    result = _run(
        "shell",
        "-v0",
        "-c",
        STORAGE_PROBE,
        env_extra={"S3_BUCKET": "sinergi-files", "S3_ENDPOINT_URL": "http://minio.local:9000"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage",
        "sinergi-files",
        "http://minio.local:9000",
        "sinergi",
        "None",
        "False",
    ]


def test_postgresql_connections_turn_jit_off_and_price_random_reads_for_ssds():
    probe = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['options'])"
    result = _run("shell", "-v0", "-c", probe, env_extra={"DATABASE_URL": "postgres://u@127.0.0.1:5432/x"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "-c random_page_cost=1.1 -c jit=off"
    result = _run(
        "shell", "-v0", "-c", probe, env_extra={"DATABASE_URL": "postgres://u@127.0.0.1:5432/x", "DB_JIT": "1"}
    )
    assert result.stdout.strip() == "-c random_page_cost=1.1"
