"""Backup and restore of the whole app: the database, the uploaded files and a manifest to check both.

A backup is one folder `cchc-backup-YYYYmmdd-HHMMSS/` holding
- `database.dump` (PostgreSQL: `pg_dump --format=custom --no-owner`) or `database.sqlite3` (SQLite:
  a copy made with sqlite3's online backup API),
- `media.tar` (every file under MEDIA_ROOT, paths relative to it),
- `manifest.json`: every table's row count, every file's SHA-256 and size, the applied migrations,
  and the SHA-256 of the database file.

On PostgreSQL the row counts are read in the very snapshot pg_dump dumps (`--snapshot`), so the
manifest describes exactly what the dump holds even while the app keeps writing.

A restore goes into an empty database and an empty media folder, checks the backup's files against
the manifest before touching anything, and afterwards counts every table and hashes every file again.
The management commands `backup` and `restore` are thin wrappers around `backup_create` and
`backup_restore`.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import connections, models
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.module_loading import import_string

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
FORMAT = 1
CHUNK = 1024 * 1024
# libpq settings Django accepts in DATABASES[...]["OPTIONS"], passed on to psycopg2 and the pg_* tools.
PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


class RestoreRefused(BackupError):
    """The target is not empty, or the backup does not match its manifest: nothing was changed."""


class VerificationFailed(BackupError):
    """The restored database or files differ from the manifest."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            "Verification FAILED after restore: "
            + f"{len(problems)} difference(s) from the manifest:\n  "
            + "\n  ".join(problems)
        )


@dataclass
class DatabaseState:
    tables: dict[str, int]
    migrations: list[list[str]]
    referenced_files: list[str] = field(default_factory=list)  # names stored in FileFields

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass
class BackupResult:
    path: Path
    manifest: dict


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int
    bytes: int
    referenced_files: int = 0
    missing_files: list[str] = field(default_factory=list)
    pending_migrations: list[str] = field(default_factory=list)
    unknown_migrations: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- Small helpers -------------------------------------------------------------------------------


def vendor_of(settings_dict: dict) -> str:
    engine = settings_dict.get("ENGINE", "")
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(f"Unsupported database engine {engine!r}: backup handles PostgreSQL and SQLite.")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools of the server's major "
            "version or newer (Debian: apt-get install postgresql-client)."
        )
    return found


def _run(args: list[str], env: dict[str, str]) -> None:
    completed = subprocess.run(args, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed (exit {completed.returncode}):\n{completed.stderr.strip()}")


def _pg_params(settings_dict: dict) -> dict:
    """Connection parameters for psycopg2 from a DATABASES entry (libpq names)."""
    params = {
        "dbname": settings_dict.get("NAME") or "postgres",
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "host": settings_dict.get("HOST") or None,
        "port": str(settings_dict["PORT"]) if settings_dict.get("PORT") else None,
    }
    options = settings_dict.get("OPTIONS") or {}
    params.update({key: str(options[key]) for key in PG_OPTIONS if options.get(key)})
    return {key: value for key, value in params.items() if value is not None}


def _pg_cli(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password goes through PGPASSWORD, never argv."""
    params = _pg_params(settings_dict)
    args = ["--no-password"]
    for key, flag in (("host", "--host"), ("port", "--port"), ("user", "--username")):
        if key in params:
            args.append(f"{flag}={params[key]}")
    env = {"PGPASSWORD": params["password"]} if "password" in params else {}
    env.update({variable: params[key] for key, variable in PG_OPTIONS.items() if key in params})
    return args, env


def _pg_connect(settings_dict: dict):
    import psycopg2

    try:
        return psycopg2.connect(**_pg_params(settings_dict))
    except psycopg2.OperationalError as error:
        name = settings_dict.get("NAME")
        raise BackupError(
            f"Cannot connect to PostgreSQL database {name!r}: {str(error).strip()}\n"
            f"For a restore, create it empty first (createdb ... {name})."
        ) from error


TABLES_SQL = {
    "postgresql": (
        "SELECT schemaname, tablename FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname NOT LIKE 'pg\\_%' "
        "ORDER BY schemaname, tablename"
    ),
    "sqlite": (
        "SELECT 'main', name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY name"
    ),
}


def _quote(*parts: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def _file_columns() -> list[tuple[str, str]]:
    """(table, column) of every FileField of the project's models."""
    return sorted(
        {
            (model._meta.db_table, model_field.column)
            for model in apps.get_models()
            for model_field in model._meta.concrete_fields
            if isinstance(model_field, models.FileField)
        }
    )


def _read_state(cursor, vendor: str) -> DatabaseState:
    """Row counts, applied migrations and the stored file names, all through one cursor (one snapshot)."""
    cursor.execute(TABLES_SQL[vendor])
    tables = {}
    for schema, table in cursor.fetchall():
        cursor.execute(f"SELECT count(*) FROM {_quote(schema, table)}")
        tables[table if schema in ("public", "main") else f"{schema}.{table}"] = cursor.fetchone()[0]
    migrations, referenced = [], set()
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        migrations = [list(row) for row in cursor.fetchall()]
    for table, column in _file_columns():
        if table in tables:
            cursor.execute(f"SELECT {_quote(column)} FROM {_quote(table)} WHERE {_quote(column)} <> ''")
            referenced.update(row[0] for row in cursor.fetchall())
    return DatabaseState(tables=tables, migrations=migrations, referenced_files=sorted(referenced))


def _sqlite_file(settings_dict: dict) -> Path:
    name = str(settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        raise BackupError(f"Restore needs an SQLite database file, not {name!r}.")
    return Path(name)


def _sqlite_open_existing(path: Path) -> sqlite3.Connection:
    """Open an existing SQLite file read-only (opening it normally would create a missing one)."""
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def database_state(settings_dict: dict) -> DatabaseState:
    """Every table's row count and the applied migrations of the database described by settings_dict."""
    if vendor_of(settings_dict) == "postgresql":
        conn = _pg_connect(settings_dict)
        try:
            with conn.cursor() as cursor:
                return _read_state(cursor, "postgresql")
        finally:
            conn.close()
    path = _sqlite_file(settings_dict)
    if not path.exists() or path.stat().st_size == 0:
        return DatabaseState(tables={}, migrations=[])
    conn = _sqlite_open_existing(path)
    try:
        return _read_state(conn.cursor(), "sqlite")
    finally:
        conn.close()


def _media_files(media_root: Path) -> Iterator[tuple[str, Path]]:
    """Every entry under media_root (relative POSIX name, path), sorted, without following links."""
    if not media_root.exists():
        return
    for directory, dirnames, filenames in os.walk(media_root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(directory) / filename
            yield path.relative_to(media_root).as_posix(), path


def filesystem_media_root() -> Path:
    """MEDIA_ROOT, when the uploaded files are kept there (refused when they live in an object store)."""
    backend = import_string(settings.STORAGES["default"]["BACKEND"])
    if not issubclass(backend, FileSystemStorage):
        raise BackupError(
            f"Uploaded files are stored by {settings.STORAGES['default']['BACKEND']}, not under MEDIA_ROOT: "
            "this command backs up and restores MEDIA_ROOT only. Back up the bucket with its own tools "
            "(versioning, replication or rclone) and see docs/operations.md."
        )
    return Path(settings.MEDIA_ROOT)


def media_hashes(media_root: Path) -> dict[str, dict]:
    """{relative name: {"sha256", "size"}} for every regular file under media_root."""
    return {
        name: {"sha256": sha256_file(path), "size": path.stat().st_size}
        for name, path in _media_files(media_root)
        if path.is_file() and not path.is_symlink()
    }


class _HashingReader:
    """Hands tarfile the bytes of a file while hashing exactly those bytes."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


# --- Backup --------------------------------------------------------------------------------------


def _backup_postgresql(settings_dict: dict, target: Path) -> DatabaseState:
    from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ

    pg_dump = _tool("pg_dump")
    args, env = _pg_cli(settings_dict)
    conn = _pg_connect(settings_dict)
    try:
        conn.set_session(isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
        with conn.cursor() as cursor:
            # pg_dump dumps this transaction's snapshot, so the counts below describe the dump exactly.
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    *args,
                    f"--dbname={settings_dict['NAME']}",
                ],
                env,
            )
            return _read_state(cursor, "postgresql")
    finally:
        conn.rollback()
        conn.close()


def _backup_sqlite(alias: str, target: Path) -> DatabaseState:
    connection = connections[alias]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # sqlite3's online backup: a consistent copy while in use
        return _read_state(copy.cursor(), "sqlite")
    finally:
        copy.close()


def _backup_media(media_root: Path, target: Path) -> tuple[dict[str, dict], list[str]]:
    files, skipped = {}, []
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as archive:
        for name, path in _media_files(media_root):
            if path.is_symlink() or not path.is_file():
                skipped.append(name)
                continue
            with open(path, "rb") as handle:
                stat = os.fstat(handle.fileno())
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), stat.st_mode & 0o777
                reader = _HashingReader(handle)
                archive.addfile(info, reader)
            files[name] = {"sha256": reader.digest.hexdigest(), "size": info.size}
    return files, skipped


def backup_create(
    folder: Path, *, alias: str = "default", media_root: Path | None = None, now: datetime.datetime | None = None
) -> BackupResult:
    """Write a timestamped backup folder (database, media.tar, manifest.json) under `folder`.

    The backup is written as `<name>.partial` and renamed when complete, so a folder without that
    suffix is always a whole backup.
    """
    media_root = Path(media_root or filesystem_media_root()).resolve()
    folder = Path(folder).resolve()
    if folder == media_root or media_root in folder.parents:
        raise BackupError(f"The backup folder {folder} is inside MEDIA_ROOT ({media_root}); choose one outside it.")
    settings_dict = connections[alias].settings_dict
    vendor = vendor_of(settings_dict)
    now = timezone.localtime(now or timezone.now())
    name = f"cchc-backup-{now:%Y%m%d-%H%M%S}"
    final, work = folder / name, folder / f"{name}.partial"
    if final.exists() or work.exists():
        raise BackupError(f"{final} already exists; wait a second and run again.")
    folder.mkdir(parents=True, exist_ok=True)
    work.mkdir(mode=0o700)  # the backup holds password hashes and private files: owner only
    try:
        dump = work / DUMP_NAMES[vendor]
        state = _backup_postgresql(settings_dict, dump) if vendor == "postgresql" else _backup_sqlite(alias, dump)
        files, skipped = _backup_media(media_root, work / MEDIA_ARCHIVE)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "django": django.get_version(),
            "installed_apps": list(settings.INSTALLED_APPS),
            "database": {
                "vendor": vendor,
                "name": str(settings_dict.get("NAME")),
                "file": dump.name,
                "sha256": sha256_file(dump),
                "size": dump.stat().st_size,
                "tables": state.tables,
                "rows": state.rows,
                "referenced_files": len(state.referenced_files),
                # Files the database names that were not under MEDIA_ROOT when the backup was made.
                "missing_files": sorted(set(state.referenced_files) - files.keys()),
            },
            "migrations": state.migrations,
            "media": {
                "root": str(media_root),
                "archive": MEDIA_ARCHIVE,
                "files": files,
                "count": len(files),
                "bytes": sum(item["size"] for item in files.values()),
                "skipped": skipped,
            },
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return BackupResult(path=final, manifest=manifest)


# --- Restore -------------------------------------------------------------------------------------


def read_manifest(backup: Path) -> dict:
    path = Path(backup) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} not found: is {backup} a backup folder made by `manage.py backup`?")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{path} is not a valid manifest: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has format {manifest.get('format')!r}; this version reads format {FORMAT}.")
    return manifest


def compare_files(expected: dict[str, dict], found: dict[str, dict]) -> list[str]:
    """Differences between two {name: {"sha256", "size"}} maps, one line each."""
    problems = []
    for name in sorted(expected.keys() - found.keys()):
        problems.append(f"file missing: {name}")
    for name in sorted(found.keys() - expected.keys()):
        problems.append(f"file not in the manifest: {name}")
    for name in sorted(expected.keys() & found.keys()):
        want, got = expected[name], found[name]
        if want["sha256"] != got["sha256"] or want["size"] != got["size"]:
            problems.append(
                f"file differs: {name} (SHA-256 {got['sha256'][:12]}…, {got['size']} bytes; "
                f"manifest {want['sha256'][:12]}…, {want['size']} bytes)"
            )
    return problems


def compare_tables(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    problems = [f"table missing: {name}" for name in sorted(expected.keys() - found.keys())]
    problems += [
        f"table {name}: {found[name]} rows, manifest {expected[name]}"
        for name in sorted(expected.keys() & found.keys())
        if found[name] != expected[name]
    ]
    return problems


def archive_hashes(archive_path: Path) -> tuple[dict[str, dict], list[str]]:
    """Hash every file inside media.tar without extracting it; entries that are not plain files are problems."""
    files, problems = {}, []
    try:
        with tarfile.open(archive_path, "r:") as archive:
            for member in archive:
                pure = PurePosixPath(member.name)
                if member.isdir():
                    continue
                if not member.isfile() or pure.is_absolute() or ".." in pure.parts:
                    problems.append(f"unexpected entry in {archive_path.name}: {member.name!r}")
                    continue
                digest = hashlib.sha256()
                handle = archive.extractfile(member)
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
                files[member.name] = {"sha256": digest.hexdigest(), "size": member.size}
    except (OSError, tarfile.TarError) as error:
        problems.append(f"{archive_path.name} cannot be read: {error}")
    return files, problems


def _check_target_empty(settings_dict: dict, media_root: Path) -> list[str]:
    problems = []
    state = database_state(settings_dict)
    if state.tables:
        with_rows = {name: rows for name, rows in state.tables.items() if rows}
        sample = ", ".join(f"{name} ({rows})" for name, rows in list(with_rows.items())[:5])
        problems.append(
            f"the target database {settings_dict.get('NAME')!r} is not empty: {len(state.tables)} tables, "
            f"{state.rows} rows" + (f" (e.g. {sample})" if sample else "")
        )
    present = sum(1 for _ in _media_files(media_root))
    if present:
        problems.append(f"the media folder {media_root} is not empty: {present} files")
    return problems


def _restore_postgresql(settings_dict: dict, dump: Path, *, force: bool) -> None:
    pg_restore = _tool("pg_restore")
    args, env = _pg_cli(settings_dict)
    # One transaction: a restore that fails part way leaves the target as it was.
    clean = ["--clean", "--if-exists"] if force else []
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *clean,
            *args,
            f"--dbname={settings_dict['NAME']}",
            str(dump),
        ],
        env,
    )


def _restore_sqlite(settings_dict: dict, copy: Path) -> None:
    target = _sqlite_file(settings_dict)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = _sqlite_open_existing(copy)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)  # replaces the whole target database
    finally:
        destination.close()
        source.close()


def _migration_differences(applied: list[list[str]]) -> tuple[list[str], list[str]]:
    """Migrations the code has that the backup lacks (need `migrate`), and the other way round."""
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    in_backup = {tuple(row) for row in applied}
    apps = {app for app, _name in on_disk}
    pending = sorted(f"{app}.{name}" for app, name in on_disk - in_backup)
    unknown = sorted(f"{app}.{name}" for app, name in in_backup - on_disk if app in apps)
    return pending, unknown


def backup_verify(manifest: dict, settings_dict: dict, media_root: Path) -> RestoreResult:
    """Count every table of the target and hash every file under media_root; compare with the manifest."""
    expected_tables = manifest["database"]["tables"]
    expected_files = manifest["media"]["files"]
    state = database_state(settings_dict)
    found_files = media_hashes(media_root)
    extra_files = sorted(found_files.keys() - expected_files.keys())
    problems = compare_tables(expected_tables, state.tables)
    problems += compare_files(expected_files, {k: v for k, v in found_files.items() if k not in extra_files})
    if problems:
        raise VerificationFailed(problems)
    result = RestoreResult(
        tables=len(expected_tables),
        rows=sum(expected_tables.values()),
        files=len(expected_files),
        bytes=sum(item["size"] for item in expected_files.values()),
        referenced_files=len(state.referenced_files),
        missing_files=sorted(set(state.referenced_files) - found_files.keys()),
    )
    extra_tables = sorted(state.tables.keys() - expected_tables.keys())
    if extra_tables:
        result.notes.append(f"{len(extra_tables)} tables not in the backup were left: {', '.join(extra_tables)}")
    if extra_files:
        result.notes.append(f"{len(extra_files)} files not in the backup were left in the media folder")
    return result


def backup_restore(
    backup: Path,
    *,
    settings_dict: dict | None = None,
    media_root: Path | None = None,
    force: bool = False,
    log: Callable[[str], None] = lambda message: None,
) -> RestoreResult:
    """Restore a backup folder into an empty database and media folder, then verify it against its manifest.

    Refuses (RestoreRefused, nothing changed) when the target has tables or files, unless `force`, and
    when the backup's database file or any file in media.tar differs from the manifest. Raises
    VerificationFailed when the restored tables or files differ from the manifest.
    """
    backup = Path(backup)
    settings_dict = settings_dict or connections["default"].settings_dict
    media_root = Path(media_root or filesystem_media_root())
    manifest = read_manifest(backup)
    vendor = vendor_of(settings_dict)
    if manifest["database"]["vendor"] != vendor:
        raise RestoreRefused(f"This backup is of a {manifest['database']['vendor']} database; the target is {vendor}.")
    if vendor == "postgresql":
        _tool("pg_restore")

    if not force:
        problems = _check_target_empty(settings_dict, media_root)
        if problems:
            raise RestoreRefused(
                "Restore refused, nothing was changed:\n  - "
                + "\n  - ".join(problems)
                + "\nRestore into an empty database and an empty media folder, or use --force to overwrite."
            )

    # Check the backup itself before touching anything.
    dump = backup / manifest["database"]["file"]
    if not dump.is_file():
        raise RestoreRefused(f"Restore refused, nothing was changed: {dump} is missing.")
    log(f"Checking {dump.name} and {MEDIA_ARCHIVE} against the manifest…")
    problems = []
    if sha256_file(dump) != manifest["database"]["sha256"]:
        problems.append(f"{dump.name}: SHA-256 differs from the manifest")
    archived, archive_problems = archive_hashes(backup / manifest["media"]["archive"])
    problems += archive_problems + compare_files(manifest["media"]["files"], archived)
    if problems:
        raise RestoreRefused(
            "Restore refused, nothing was changed: the backup does not match its manifest:\n  " + "\n  ".join(problems)
        )

    log(f"Restoring the database into {settings_dict.get('NAME')}…")
    if vendor == "postgresql":
        _restore_postgresql(settings_dict, dump, force=force)
    else:
        _restore_sqlite(settings_dict, dump)
    log(f"Restoring {len(archived)} files into {media_root}…")
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup / manifest["media"]["archive"], "r:") as archive:
        archive.extractall(media_root, filter="data")

    log("Verifying every table's row count and every file's SHA-256…")
    result = backup_verify(manifest, settings_dict, media_root)
    result.pending_migrations, result.unknown_migrations = _migration_differences(manifest["migrations"])
    return result
