import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import DatabaseError

from casework.core import clock
from casework.core.errors import TransitionRefused
from casework.core.policy import Decision

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_health_ok_when_database_answers(client):
    response = client.get("/api/v1/health/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_health_503_when_database_does_not_answer(client):
    with mock.patch("casework.core.api.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/api/v1/health/")
    assert response.status_code == 503 and response.json() == {"status": "unavailable"}


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    assert len(client.get("/api/v1/health/")["X-Request-ID"]) == 32
    assert client.get("/api/v1/health/", HTTP_X_REQUEST_ID="call-42")["X-Request-ID"] == "call-42"


def test_decision_explains_itself_with_step_ids():
    d = Decision.no("Customer is locked to the DPO Team", "CMA-1.5", "CMA-2.10")
    assert d.explain() == "Customer is locked to the DPO Team (CMA-1.5, CMA-2.10)"
    err = TransitionRefused.from_decision(d)
    assert err.http_status == 409 and err.as_dict()["step_ids"] == ["CMA-1.5", "CMA-2.10"]


def test_clock_freeze():
    import datetime as dt

    moment = dt.datetime(2026, 4, 3, 9, tzinfo=dt.timezone.utc)
    with clock.freeze(moment):
        assert clock.now() == moment
    assert clock.now() != moment


def test_production_settings_pass_check_deploy():
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set in-process by the browser fixtures; never in deployment
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings_production",
        SECRET_KEY="k" * 20 + "-random-production-secret-" + "z" * 30,
        ALLOWED_HOSTS="casework.example.gov.au",
        DATABASE_URL="sqlite:///:memory:",
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def _production_storages(**extra: str) -> dict:
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for name in list(env):
        if name.startswith("STORAGE_S3_"):
            env.pop(name)
    env.update(DJANGO_SETTINGS_MODULE="config.settings_production", SECRET_KEY="k" * 20 + "-random-secret-" + "z" * 30,
               ALLOWED_HOSTS="casework.example.gov.au", DATABASE_URL="sqlite:///:memory:", **extra)
    code = "import json, django; django.setup(); from django.conf import settings; print(json.dumps(settings.STORAGES))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_documents_are_on_the_filesystem_by_default_and_s3_when_a_bucket_is_named():
    """Issue 15: letter PDFs in Django's storage API: the filesystem by default, S3-compatible (django-storages)
    in production when STORAGE_S3_BUCKET is set; private objects only."""
    assert _production_storages()["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    s3 = _production_storages(STORAGE_S3_BUCKET="casework-docs", STORAGE_S3_ENDPOINT_URL="https://s3.example.gov.au",
                              STORAGE_S3_REGION="ap-southeast-2")["default"]
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s3["OPTIONS"]["bucket_name"] == "casework-docs" and s3["OPTIONS"]["default_acl"] == "private"
    assert s3["OPTIONS"]["endpoint_url"] == "https://s3.example.gov.au" and s3["OPTIONS"]["file_overwrite"] is True
    assert "access_key" not in s3["OPTIONS"]  # unset: boto3's own credential chain


def test_production_settings_refuse_the_embedded_secret_key():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings_production", ALLOWED_HOSTS="x")
    env.pop("SECRET_KEY", None)
    out = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "SECRET_KEY" in out.stderr
