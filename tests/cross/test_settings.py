"""Settings come from the environment; production refuses development secrets."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "FIELD_ENCRYPTION_KEYS",
            "BLIND_INDEX_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "REDIS_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def key(n=32):
    return base64.urlsafe_b64encode(os.urandom(n)).decode()


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": base64.urlsafe_b64encode(os.urandom(48)).decode(),
    "FIELD_ENCRYPTION_KEYS": f"{key()},{key()}",
    "BLIND_INDEX_KEY": key(48),
    "ALLOWED_HOSTS": "credit.example.gov.cn",
    "DATABASE_URL": "sqlite:////tmp/creditportal-settings-test.sqlite3",
}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"])
def test_debug_off_refuses_development_defaults(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert missing in result.stderr and "development defaults" in result.stderr


def test_bad_keys_are_refused_with_a_clear_message():
    result = run_manage("check", **{**PRODUCTION, "FIELD_ENCRYPTION_KEYS": key(16)})
    assert result.returncode != 0 and "32 bytes" in result.stderr
    result = run_manage("check", **{**PRODUCTION, "BLIND_INDEX_KEY": key(8)})
    assert result.returncode != 0 and "at least 32 bytes" in result.stderr


def test_check_deploy_is_clean_with_production_values():
    result = run_manage("check", "--deploy", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_language_and_time_zone():
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ


def _setting(expression, **env):
    result = run_manage("shell", "-c", f"from django.conf import settings; print({expression})", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_celery_is_eager_without_redis_and_uses_redis_with_it():
    assert _setting("settings.CELERY_TASK_ALWAYS_EAGER") == "True"
    with_redis = "(settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL)"
    assert _setting(with_redis, REDIS_URL="redis://10.9.8.7:6379/0") == "(False, 'redis://10.9.8.7:6379/0')"


def test_object_storage_from_the_environment():
    assert _setting("settings.STORAGES['default']['BACKEND']") == "django.core.files.storage.FileSystemStorage"
    s3 = _setting(
        "settings.STORAGES['default']['BACKEND'], settings.STORAGES['default']['OPTIONS']['default_acl']",
        STORAGE_BACKEND="s3",
        S3_BUCKET="credit-files",
        S3_ENDPOINT_URL="https://objects.example.gov.cn",
    )
    assert s3 == "storages.backends.s3.S3Storage private"
    missing = run_manage("check", STORAGE_BACKEND="s3")
    assert missing.returncode != 0 and "S3_BUCKET" in missing.stderr
