"""Backup and restore: a real plan with visits and uploaded files is backed up, restored into an empty
database and media folder, and every table's row count and every file's SHA-256 are found equal, counted
through connections of the test's own (not the restore's). On SQLite and on PostgreSQL (pg_dump and
pg_restore are run for real; the data is committed, so pg_dump's own connection sees it)."""

import hashlib
import io
import json
import sqlite3
import tarfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import environ
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from pypdf import PdfWriter

from cchc_inspection.backup import VerificationFailed, backup_verify
from inspections import services
from inspections.models import Finding, Submission
from tests.inspections import conftest as inspection_fixtures

fast_passwords = inspection_fixtures.fast_passwords
home_affairs = inspection_fixtures.home_affairs
plan = inspection_fixtures.plan
lead = inspection_fixtures.lead
inspector_member = inspection_fixtures.inspector_member
visit_a = inspection_fixtures.visit_a
visit_b = inspection_fixtures.visit_b

# Committed data: pg_dump reads the database through its own connection.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_passwords")]

REPORT_NAME = "Báo cáo CCHC năm 2022 - Huyện Alpha.pdf"
SUMMARY_NAME = "generated/Báo cáo tổng hợp CCHC 2022.pdf"


def pdf_bytes(title: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def hash_tree(root: Path) -> dict[str, str]:
    """{relative name: SHA-256} of every file under root."""
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def source_counts() -> dict[str, int]:
    """Every table's row count in the test database, through Django's connection."""
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
        return counts


@dataclass
class Target:
    """An empty database and media folder to restore into, read through the test's own connections."""

    url: str
    media: Path
    connect: Callable
    tables_sql: str

    def query(self, sql: str) -> list[tuple]:
        conn = self.connect()
        try:
            cursor = conn.cursor()
            cursor.execute(sql)
            rows = cursor.fetchall() if cursor.description else []
            conn.commit()
            return rows
        finally:
            conn.close()

    def tables(self) -> dict[str, int]:
        names = [row[0] for row in self.query(self.tables_sql)]
        return {name: self.query(f'SELECT count(*) FROM "{name}"')[0][0] for name in names}


@pytest.fixture
def target(tmp_path):
    media = tmp_path / "restored-media"
    if connection.vendor == "sqlite":
        path = tmp_path / "restored" / "cchc.sqlite3"
        path.parent.mkdir()
        yield Target(
            url=f"sqlite:///{path}",
            media=media,
            connect=lambda: sqlite3.connect(path),
            tables_sql="SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        return

    import psycopg2

    source = connection.settings_dict
    params = {
        "user": source["USER"] or None,
        "password": source["PASSWORD"] or None,
        "host": source["HOST"] or None,
        "port": source["PORT"] or None,
    }
    params = {key: value for key, value in params.items() if value is not None}
    name = f"restore_check_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    credentials = quote(source["USER"] or "") + (f":{quote(source['PASSWORD'])}" if source["PASSWORD"] else "")
    try:
        yield Target(
            url=f"postgres://{credentials}@{source['HOST']}:{source['PORT'] or 5432}/{name}",
            media=media,
            connect=lambda: psycopg2.connect(dbname=name, **params),
            tables_sql="SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
        )
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def backup_data(media, ha_nam, visit_a, visit_b, coordinator, user_a, user_b, inspector):
    """The Hà Nam registry, the 2022 plan with two visits, a sent notice, three reports (two versions from
    unit A, one from unit B), appendix figures, a finding with two evidence files, a generated document."""
    the_plan = visit_a.plan
    services.notice_send(inspection=visit_a, user=coordinator)
    for user, visit, title in ((user_a, visit_a, "v1"), (user_a, visit_a, "v2"), (user_b, visit_b, "b")):
        services.submission_create(
            plan=the_plan,
            unit=visit.unit,
            kind=Submission.Kind.REPORT,
            uploaded_file=SimpleUploadedFile(REPORT_NAME, pdf_bytes(title)),
            user=user,
            inspection=visit,
        )
    services.appendix_save(
        plan=the_plan, unit=visit_a.unit, values={"tthc_total": 215, "tthc_one_stop": 198}, user=user_a
    )
    services.finding_record(
        inspection=visit_a,
        area=the_plan.areas.get(number=3),
        criterion=None,
        kind=Finding.Kind.SHORTCOMING,
        text="Chưa niêm yết đầy đủ thủ tục hành chính tại Bộ phận Một cửa.",
        user=inspector,
        files=[SimpleUploadedFile(f"Ảnh {n}.pdf", pdf_bytes(f"evidence {n}")) for n in (1, 2)],
    )
    default_storage.save(SUMMARY_NAME, ContentFile(pdf_bytes("summary")))


def make_backup(tmp_path) -> Path:
    call_command("backup", str(tmp_path / "backups"), stdout=io.StringIO())
    [folder] = (tmp_path / "backups").iterdir()
    return folder


def restore(folder: Path, target: Target, *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "restore", str(folder), "--database-url", target.url, "--media-root", str(target.media), *extra, stdout=out
    )
    return out.getvalue()


def test_backup_then_restore_into_an_empty_database_and_media_folder_finds_every_count_and_hash_equal(
    backup_data, media, target, tmp_path
):
    tables = source_counts()
    files = hash_tree(media)
    assert tables["inspections_submission"] == 3
    assert tables["inspections_evidencefile"] == 2
    assert tables["units_unit"] >= 205
    # The notice, three reports, two evidence files and the generated document.
    assert len(files) == 7 and SUMMARY_NAME in files

    out = io.StringIO()
    call_command("backup", str(tmp_path / "backups"), stdout=out)
    [folder] = (tmp_path / "backups").iterdir()
    assert folder.name.startswith("cchc-backup-")
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        ["manifest.json", "media.tar", "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"]
    )
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"]["tables"] == tables
    assert {name: item["sha256"] for name, item in manifest["media"]["files"].items()} == files
    assert ["inspections", "0001_initial"] in manifest["migrations"]
    assert manifest["database"]["referenced_files"] == 6 and manifest["database"]["missing_files"] == []

    report = restore(folder, target)

    # Counted and hashed again here, through the test's own connection to the restored database.
    assert target.tables() == tables
    assert hash_tree(target.media) == files
    rows = sum(tables.values())
    assert f"{len(tables)} tables, {rows} rows, {len(files)} files verified" in report
    assert "Migrations: the backup matches the code." in report
    assert "Files the database refers to: 6, all present." in report  # the generated document is not one
    # Vietnamese text and the stored file names come back as they were.
    names = target.query("SELECT original_name, file FROM inspections_submission ORDER BY id")
    assert [name for name, _file in names] == [REPORT_NAME] * 3
    assert all(file_name in files for _name, file_name in names)
    print(out.getvalue() + report)  # the figures, with pytest -rP


def test_restore_refuses_a_target_database_or_media_folder_that_is_not_empty_and_changes_nothing(
    backup_data, target, tmp_path
):
    folder = make_backup(tmp_path)
    target.query("CREATE TABLE keep_me (note varchar(50))")
    target.query("INSERT INTO keep_me VALUES ('giữ nguyên')")
    with pytest.raises(CommandError, match=r"(?s)Restore refused, nothing was changed:.*target database .* not empty"):
        restore(folder, target)
    assert target.tables() == {"keep_me": 1}
    assert hash_tree(target.media) == {}

    target.query("DROP TABLE keep_me")
    target.media.mkdir()
    (target.media / "old.pdf").write_bytes(b"%PDF-1.4 old")
    with pytest.raises(CommandError, match=r"media folder .* is not empty: 1 files"):
        restore(folder, target)
    assert target.tables() == {}
    assert hash_tree(target.media) == {"old.pdf": hashlib.sha256(b"%PDF-1.4 old").hexdigest()}

    # --force restores over what is there; what the backup holds is then there and verified.
    report = restore(folder, target, "--force")
    tables = source_counts()
    assert {name: rows for name, rows in target.tables().items() if name in tables} == tables
    assert "7 files verified" in report
    assert "Note: 1 files not in the backup were left in the media folder" in report


def test_a_changed_file_in_the_backup_is_detected_and_nothing_is_restored(backup_data, target, tmp_path):
    folder = make_backup(tmp_path)
    changed = Submission.objects.order_by("id").first().file.name
    archive = folder / "media.tar"
    with tarfile.open(archive) as original:
        members = [(member, original.extractfile(member).read()) for member in original.getmembers()]
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as rewritten:
        for member, data in members:
            if member.name == changed:
                data = data[:-2] + b"X\n"  # same size, one byte different
            rewritten.addfile(member, io.BytesIO(data))

    with pytest.raises(CommandError, match=r"does not match its manifest") as refused:
        restore(folder, target)
    assert f"file differs: {changed}" in str(refused.value)
    assert target.tables() == {}
    assert hash_tree(target.media) == {}


def test_verification_finds_a_restored_table_or_file_that_differs_from_the_manifest(backup_data, target, tmp_path):
    folder = make_backup(tmp_path)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    told = json.loads(manifest_path.read_text(encoding="utf-8"))
    told["database"]["tables"]["inspections_submission"] = 4  # the backup says 4; the dump holds 3
    manifest_path.write_text(json.dumps(told), encoding="utf-8")

    with pytest.raises(CommandError, match="Verification FAILED") as failed:
        restore(folder, target)
    assert "table inspections_submission: 3 rows, manifest 4" in str(failed.value)

    # With the true manifest all is equal, until a restored file changes on disk.
    target_settings = environ.Env.db_url_config(target.url)
    assert backup_verify(manifest, target_settings, target.media).files == 7
    evidence = sorted((target.media / "evidence").iterdir())[0]
    evidence.write_bytes(evidence.read_bytes() + b"%")
    with pytest.raises(VerificationFailed) as differs:
        backup_verify(manifest, target_settings, target.media)
    [problem] = differs.value.problems
    assert problem.startswith(f"file differs: evidence/{evidence.name}")


@pytest.mark.django_db  # refused before the database is read
def test_backup_refuses_a_folder_inside_the_media_folder(media):
    with pytest.raises(CommandError, match="inside MEDIA_ROOT"):
        call_command("backup", str(media / "backups"))


class BucketStorage(Storage):
    """Stands for an object store (S3): files that are not under MEDIA_ROOT."""


@pytest.mark.django_db
def test_backup_refuses_when_the_uploaded_files_are_not_under_media_root(media, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.BucketStorage"}}
    with pytest.raises(CommandError, match=r"BucketStorage, not under MEDIA_ROOT"):
        call_command("backup", str(tmp_path / "backups"))
    assert not (tmp_path / "backups").exists()
