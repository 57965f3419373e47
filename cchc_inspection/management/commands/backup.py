import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cchc_inspection.backup import BackupError, backup_create


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


class Command(BaseCommand):
    help = (
        "Back up the database (PostgreSQL: pg_dump; SQLite: a consistent copy) and every uploaded file "
        "(MEDIA_ROOT) into a new folder <folder>/cchc-backup-YYYYmmdd-HHMMSS/, with a manifest of every "
        "table's row count and every file's SHA-256. See docs/operations.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="where backups are kept (outside MEDIA_ROOT)")
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            result = backup_create(options["folder"], alias=options["database"])
        except BackupError as error:
            raise CommandError(f"Backup failed: {error}") from error
        database, media = result.manifest["database"], result.manifest["media"]
        for name in database["missing_files"]:
            self.stderr.write(f"Warning: the database refers to {name}, which is not under MEDIA_ROOT")
        for name in media["skipped"]:
            self.stderr.write(f"Warning: not a regular file, left out: {name}")
        self.stdout.write(
            f"Backup written to {result.path}\n"
            f"  database ({database['vendor']}): {len(database['tables'])} tables, {database['rows']} rows, "
            f"{database['file']} {megabytes(database['size'])}\n"
            f"  uploaded files: {media['count']} files, {megabytes(media['bytes'])} in {media['archive']} "
            f"({database['referenced_files']} referenced by the database, {len(database['missing_files'])} missing)\n"
            f"  migrations applied: {len(result.manifest['migrations'])}\n"
            f"  took {time.monotonic() - started:.1f} s"
        )
