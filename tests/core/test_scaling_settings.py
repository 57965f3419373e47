"""The settings that spread the app over several machines (docs/performance.md): uploaded files on
S3-compatible storage, reads on a PostgreSQL replica. Each test starts Django in a fresh interpreter
with only the variables it names (no .env), and talks to no server: building a storage or choosing a
database opens no connection."""

import json
import os
import subprocess
import sys

from django.conf import settings

PROJECT = settings.BASE_DIR
S3 = {
    "DJANGO_STORAGE_BACKEND": "s3",
    "AWS_STORAGE_BUCKET_NAME": "cchc-ho-so",
    "AWS_S3_ENDPOINT_URL": "https://s3.example.invalid",
    "AWS_S3_REGION_NAME": "hn-1",
    "AWS_ACCESS_KEY_ID": "khoa-thu",
    "AWS_SECRET_ACCESS_KEY": "bi-mat-thu",
}
SETUP = "import django, json\ndjango.setup()\n"


def run_django(env_extra: dict, code: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_ENV_FILE": "",
        "DJANGO_DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "cchc_inspection.settings",
        "DATABASE_URL": "sqlite://:memory:",
        **env_extra,
    }
    return subprocess.run(
        [sys.executable, "-c", SETUP + code], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
    )


def printed(result: subprocess.CompletedProcess):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


STORAGE_REPORT = """
from django.core.files.storage import default_storage
from inspections.models import EvidenceFile, ScheduleNotice, Submission
from django.utils.functional import LazyObject
from reports.models import GeneratedDocument

def backend(storage):
    if isinstance(storage, LazyObject):
        storage._setup()
        return storage._wrapped
    return storage

fields = [Submission._meta.get_field("file"), EvidenceFile._meta.get_field("file"),
          ScheduleNotice._meta.get_field("pdf"), GeneratedDocument._meta.get_field("file")]
storage = backend(default_storage)
print(json.dumps({
    "class": f"{type(storage).__module__}.{type(storage).__name__}",
    "fields": sorted({type(backend(f.storage)).__name__ for f in fields}),
    "options": {key: getattr(storage, key, None) for key in
                ("bucket_name", "endpoint_url", "region_name", "file_overwrite", "max_memory_size", "location")},
    "threads": getattr(getattr(storage, "transfer_config", None), "use_threads", None),
}))
"""


def test_by_default_files_stay_on_this_machines_disk(tmp_path):
    report = printed(run_django({"DJANGO_MEDIA_ROOT": str(tmp_path)}, STORAGE_REPORT))
    assert report["class"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert report["fields"] == ["FileSystemStorage"]
    assert report["options"]["location"] == str(tmp_path)


def test_storage_backend_s3_switches_default_storage_to_s3():
    report = printed(run_django(S3, STORAGE_REPORT))
    assert report["class"] == "storages.backends.s3.S3Storage"
    # Every uploaded or generated file goes through it: the file fields name no storage of their own.
    assert report["fields"] == ["S3Storage"]
    assert report["options"] == {
        "bucket_name": "cchc-ho-so",
        "endpoint_url": "https://s3.example.invalid",
        "region_name": "hn-1",
        "file_overwrite": False,
        "max_memory_size": 2 * 1024 * 1024,
        "location": "",
    }
    # Files move in pieces one after the other: with threads boto3 queues them in memory, and a
    # streamed dossier grows with its largest file (measured against an S3 server: 18 MB for 10 MB files).
    assert report["threads"] is False


def test_s3_storage_reads_its_keys_from_the_environment_and_keeps_files_private():
    code = """
from django.core.files.storage import default_storage
default_storage._setup()
s = default_storage._wrapped
print(json.dumps([s.access_key, s.secret_key, s.default_acl, s.querystring_auth]))
"""
    assert printed(run_django(S3, code)) == ["khoa-thu", "bi-mat-thu", None, True]


def test_s3_without_a_bucket_refuses_to_start_and_says_why():
    result = run_django({**S3, "AWS_STORAGE_BUCKET_NAME": ""}, "")
    assert result.returncode != 0
    assert "DJANGO_STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME" in result.stderr


def test_an_unknown_storage_backend_refuses_to_start():
    result = run_django({"DJANGO_STORAGE_BACKEND": "ftp"}, "")
    assert result.returncode != 0
    assert "DJANGO_STORAGE_BACKEND must be 'filesystem' or 's3'" in result.stderr


ROUTING_REPORT = """
from django.conf import settings
from django.db import router, transaction
from django.contrib.sessions.models import Session
from inspections.models import Finding, Inspection
from reports.models import GeneratedDocument
from units.models import Unit
report = {
    "routers": settings.DATABASE_ROUTERS,
    "replica": settings.DATABASES["replica"]["NAME"],
    "read": router.db_for_read(Unit),
    "write": router.db_for_write(Finding),
    "queryset": Inspection.objects.all().db,
    "for_update": Inspection.objects.select_for_update().db,
    "session": router.db_for_read(Session),
    "generated_document": GeneratedDocument.objects.all().db,
    "migrate_default": router.allow_migrate("default", "units"),
    "migrate_replica": router.allow_migrate("replica", "units"),
}
with transaction.atomic():
    report["read_in_transaction"] = Unit.objects.all().db
report["read_after_transaction"] = Unit.objects.all().db
print(json.dumps(report))
"""


def test_replica_url_sends_reads_to_the_replica_and_writes_to_the_primary(tmp_path):
    report = printed(run_django({"DATABASE_REPLICA_URL": f"sqlite:///{tmp_path / 'replica.sqlite3'}"}, ROUTING_REPORT))
    assert report == {
        "routers": ["cchc_inspection.db_router.ReplicaRouter"],
        "replica": str(tmp_path / "replica.sqlite3"),
        "read": "replica",
        "write": "default",
        "queryset": "replica",
        "for_update": "default",
        # Read straight after they are written: a login, then the next page; a document queued,
        # then the worker that makes it.
        "session": "default",
        "generated_document": "default",
        "migrate_default": True,
        "migrate_replica": False,
        # A service reads, checks and writes in one transaction: all of it on the primary.
        "read_in_transaction": "default",
        "read_after_transaction": "replica",
    }


def test_without_a_replica_there_is_one_database_and_no_router():
    code = """
from django.conf import settings
from django.db import router
from units.models import Unit
print(json.dumps([sorted(settings.DATABASES), settings.DATABASE_ROUTERS, router.db_for_read(Unit)]))
"""
    assert printed(run_django({}, code)) == [["default"], [], "default"]
