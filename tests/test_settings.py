"""The site refuses to serve in production without a secret key; commands that need none still run."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(arguments: list[str], **env):
    """Run Python with the production settings (not the tests'), without SECRET_KEY or DEBUG unless given."""
    unset = ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")
    environment = {key: value for key, value in os.environ.items() if key not in unset} | env
    return subprocess.run(  # noqa: S603 - the arguments are this file's own
        [sys.executable, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_missing_secret_key_with_debug_off_refuses_to_serve_with_a_clear_message():
    result = run(["-c", "import config.wsgi"], DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_missing_secret_key_with_debug_off_fails_the_deployment_check():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], DEBUG="false", ALLOWED_HOSTS="example.org"
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_commands_that_need_no_secret_key_run_without_one():
    result = run(["manage.py", "makemigrations", "--check", "--dry-run"], DEBUG="false")
    assert (result.returncode, result.stdout.strip()) == (0, "No changes detected")


def test_debug_mode_serves_without_a_secret_key():
    assert run(["-c", "import config.wsgi"], DEBUG="true").returncode == 0


def test_production_serves_with_a_secret_key():
    assert run(["-c", "import config.wsgi"], DEBUG="false", SECRET_KEY="x" * 50).returncode == 0


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
