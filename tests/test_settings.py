"""The site refuses to start in production without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_settings(**env):
    environment = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG")}
    environment |= env
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_missing_secret_key_with_debug_off_refuses_to_start_with_a_clear_message():
    result = run_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_mode_starts_without_a_secret_key():
    assert run_settings(DEBUG="true").returncode == 0


def test_production_starts_with_a_secret_key():
    assert run_settings(DEBUG="false", SECRET_KEY="x" * 50).returncode == 0


def setting_value(name: str, **env) -> str:
    environment = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG", name)}
    environment |= env | {"SETTING_NAME": name}
    result = subprocess.run(
        [sys.executable, "-c", "import os, config.settings as s; print(getattr(s, os.environ['SETTING_NAME']))"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_second_factor_is_required_by_default_in_production():
    assert setting_value("STAFF_MFA_REQUIRED", DEBUG="false", SECRET_KEY="x" * 50) == "True"


def test_second_factor_is_off_by_default_in_the_local_debug_demo():
    assert setting_value("STAFF_MFA_REQUIRED", DEBUG="true") == "False"
