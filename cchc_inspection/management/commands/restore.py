import time
from pathlib import Path

import environ
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from cchc_inspection.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder made by `manage.py backup` into an EMPTY database and an EMPTY media folder "
        "(the configured ones unless --database-url / --media-root say otherwise), then verify every table's "
        "row count and every file's SHA-256 against the backup's manifest. See docs/operations.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="the backup folder (…/cchc-backup-YYYYmmdd-HHMMSS)")
        parser.add_argument(
            "--database-url",
            help="restore into this database instead of the configured one (e.g. a scratch database for a drill)",
        )
        parser.add_argument("--media-root", type=Path, help="restore the files here instead of MEDIA_ROOT")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore even if the target database has tables or the media folder has files (overwrites them)",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        if options["database_url"]:
            settings_dict = environ.Env.db_url_config(options["database_url"])
        else:
            settings_dict = connections["default"].settings_dict
        media_root = options["media_root"]
        try:
            result = backup_restore(
                options["backup"],
                settings_dict=settings_dict,
                media_root=media_root,
                force=options["force"],
                log=self.stdout.write,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restore verified: {result.tables} tables, {result.rows} rows, {result.files} files verified "
            f"({result.bytes} bytes), in {time.monotonic() - started:.1f} s."
        )
        if result.missing_files:
            self.stderr.write(
                f"Warning: {len(result.missing_files)} of the {result.referenced_files} files the database refers "
                f"to are not in the media folder (missing when the backup was made): "
                + ", ".join(result.missing_files[:10])
            )
        else:
            self.stdout.write(f"Files the database refers to: {result.referenced_files}, all present.")
        for note in result.notes:
            self.stdout.write(f"Note: {note}")
        if result.pending_migrations:
            self.stdout.write(
                f"The code has {len(result.pending_migrations)} migrations the backup lacks: run "
                "`manage.py migrate` before starting the app."
            )
        if result.unknown_migrations:
            self.stderr.write(
                f"Warning: the backup has {len(result.unknown_migrations)} migrations this code does not know "
                f"({', '.join(result.unknown_migrations[:5])}…): it was made by a newer version; deploy that "
                "version before starting the app."
            )
        if not result.pending_migrations and not result.unknown_migrations:
            self.stdout.write("Migrations: the backup matches the code.")
