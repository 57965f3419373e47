"""Documents benchmark (issue 8, point 3 b-d): the summary Excel and PDF and the dossier ZIP, each
beside its floor, every measure in a fresh process of its own.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<national db> \
        .venv/bin/python bench/documents.py [--json FILE] [--repeat 3] [--rebuild] [--s3-endpoint URL]

b. Summary Excel (reports.summary_docs.summary_xlsx): CPU seconds and peak memory, beside openpyxl's
   write-only mode writing the same cells from plain lists (taken from the data before the clock
   starts).
c. Summary PDF (summary_charts + summary_pdf) for Hà Nam 2022 as it is (≈10 pages) and with its annex
   grown to ≈100 pages, beside WeasyPrint rendering bare HTML tables of the same rows; seconds per page
   at 100 against 10 pages.
d. Dossier ZIP (reports.dossier) of a visit with 20 MB and one with 200 MB of files: peak memory, from
   this machine's disk and, with --s3-endpoint (a MinIO or `moto_server`), from an S3 bucket.

Data: the documents' own PostgreSQL database, cchc_bench_documents on DATABASE_URL's server
(bench/doc_data.py), made once and kept (--rebuild makes it again); the dossier files live under
--media-root. The Excel is measured on the national data set instead when DATABASE_URL holds one
(`manage.py generate_data --scale national`): its latest plan.

Seconds are CPU seconds of the measuring process, best of --repeat runs: the work is single-threaded,
and on a shared machine wall time mostly measures the neighbours (wall times are printed in the
notes). Peak memory is the process's peak resident set (ru_maxrss), which includes Python, Django and
the data: what a worker needs.
"""

import sys
from pathlib import Path

# Run as a script (without -P), Python puts bench/ first on the path, where bench/http.py would hide
# the standard library's http package: put the project folder there instead.
if sys.path and sys.path[0] and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import secrets  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
from contextlib import closing  # noqa: E402

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_PYTHON = BASE_DIR / ".venv" / "bin" / "python"
MB = 1024 * 1024
DATA_VERSION = 1  # bump when bench/doc_data.py builds different rows
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"
DATABASE_NAME = "cchc_bench_documents"
NATIONAL_MIN_UNITS = 5000

EXCEL_MAX_RATIO, EXCEL_MAX_MB = 1.3, 150
PDF_MAX_RATIO, PDF_MAX_PAGE_GROWTH = 1.15, 1.3
DOSSIER_MAX_GROWTH_MB = 10


# --- Child processes: one measure each ------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _best_of(repeat: int, work):
    """(best CPU seconds, wall seconds of that run, last result) of `repeat` runs of work().

    CPU time of this process, not wall time: the work is single-threaded, and on a shared machine
    the wall clock mostly measures the neighbours."""
    best, wall, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        cpu, start = time.process_time(), time.perf_counter()
        result = work()
        cpu, elapsed = time.process_time() - cpu, time.perf_counter() - start
        if cpu < best:
            best, wall = cpu, elapsed
    return best, wall, result


def _pages(pdf: bytes) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def _plan(pk):
    from inspections.models import InspectionPlan

    return InspectionPlan.objects.get(pk=pk)


def child_migrate(spec):
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return {}


def child_build(spec):
    from bench import doc_data

    built = doc_data.build(short_units=spec["short_units"], long_units=spec["long_units"], seed=spec["seed"])
    return {"short_plan": built.short_plan, "long_plan": built.long_plan, "dossiers": built.dossiers}


def child_restore(spec):
    from bench import doc_data

    return {"written": doc_data.evidence_restore()}


def child_probe(spec):
    """Whether this database holds the national data set, and its latest plan."""
    from django.db import connection

    from inspections.models import InspectionPlan
    from units.models import Unit

    if "units_unit" not in connection.introspection.table_names():
        return {"units": 0, "plan": None}
    plan = InspectionPlan.objects.order_by("-year").first()
    return {"units": Unit.objects.count(), "plan": plan.pk if plan else None, "year": plan.year if plan else None}


def _raw_workbook(sheets) -> bytes:
    """openpyxl's write-only mode on plain lists: the floor."""
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def child_excel(spec):
    from reports.summary import summary_data
    from reports.summary_docs import summary_tables, summary_xlsx

    start = time.perf_counter()
    data = summary_data(_plan(spec["plan"]))
    data_seconds = time.perf_counter() - start
    sheets = [(t.sheet, t.headers, t.rows) for t in summary_tables(data).values()]
    work = {
        "ours": lambda: summary_xlsx(data),
        "floor": lambda: _raw_workbook(sheets),
    }[spec["variant"]]
    seconds, wall, content = _best_of(spec["repeat"], work)
    return {
        "seconds": seconds,
        "wall": wall,
        "data_seconds": data_seconds,
        "peak_mb": _peak_mb(),
        "bytes": len(content),
        "annex_rows": len(data["annex"]),
        "cells": sum(len(row) for _title, headers, rows in sheets for row in [headers, *rows]),
    }


FLOOR_HTML = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><style>
@page {{ size: A4 landscape; margin: 20mm 15mm 15mm 20mm; }}
html {{ font-family: "Liberation Serif", serif; font-size: 10pt; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 8pt; }}
th, td {{ border: 0.6pt solid #000; padding: 2pt 3pt; vertical-align: top; }}
</style></head><body>{tables}</body></html>"""


def _bare_table(table) -> str:
    from django.utils.html import escape

    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in table.display_rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def child_pdf(spec):
    from weasyprint import HTML

    from reports.summary import summary_data
    from reports.summary_docs import summary_body, summary_charts, summary_pdf, summary_tables

    data = summary_data(_plan(spec["plan"]))
    if spec["floor"]:
        # The rows the report prints: the tables in its body, then the annex.
        tables = summary_tables(data)
        printed = [content for style, content in summary_body(data, tables=tables) if style == "table"]
        html = FLOOR_HTML.format(tables="".join(_bare_table(t) for t in [*printed, tables["annex"]]))

        def work():
            return HTML(string=html).write_pdf()

    else:

        def work():
            return summary_pdf(data, summary_charts(data))

    seconds, wall, pdf = _best_of(spec["repeat"], work)
    return {
        "seconds": seconds,
        "wall": wall,
        "pages": _pages(pdf),
        "peak_mb": _peak_mb(),
        "annex_rows": len(data["annex"]),
    }


def child_dossier(spec):
    from inspections.models import Inspection
    from reports.dossier import dossier_archive

    inspection = Inspection.objects.select_related("plan", "unit").get(pk=spec["inspection"])
    base_mb = _peak_mb()
    start = time.perf_counter()
    archive = dossier_archive(inspection)
    written = 0
    with open(os.devnull, "wb") as sink:
        for chunk in archive:
            sink.write(chunk)
            written += len(chunk)
    return {
        "seconds": time.perf_counter() - start,
        "bytes": written,
        "size": len(archive),
        "peak_mb": _peak_mb(),
        "base_mb": base_mb,
    }


def child_s3_sync(spec):
    """Copy the dossier visits' files from the local media folder into the S3 bucket (made if missing)."""
    from botocore.exceptions import ClientError
    from django.core.files import File
    from django.core.files.storage import default_storage

    from bench.doc_data import CODE_PREFIX
    from inspections.models import EvidenceFile

    client = default_storage.connection.meta.client
    try:
        client.head_bucket(Bucket=default_storage.bucket_name)
    except ClientError:
        client.create_bucket(Bucket=default_storage.bucket_name)
    copied = 0
    for name, size in EvidenceFile.objects.filter(file__startswith=f"evidence/{CODE_PREFIX}/").values_list(
        "file", "size"
    ):
        if default_storage.exists(name) and default_storage.size(name) == size:
            continue
        with open(Path(spec["media_root"]) / name, "rb") as local:
            default_storage.delete(name)
            default_storage.save(name, File(local))
        copied += 1
    return {"copied": copied}


CHILDREN = {
    "s3_sync": child_s3_sync,
    "migrate": child_migrate,
    "build": child_build,
    "restore": child_restore,
    "probe": child_probe,
    "excel": child_excel,
    "pdf": child_pdf,
    "dossier": child_dossier,
}


def run_child(spec: str) -> None:
    spec = json.loads(spec)
    import django

    django.setup()
    print(json.dumps(CHILDREN[spec["task"]](spec)))


# --- The parent: data, measures, table ----------------------------------------------------------


def child_env(database_url: str, media_root: Path, secret: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "DJANGO_", "DATABASE_")) and key != "PYTHONPATH"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cchc_inspection.settings",
            "DJANGO_ENV_FILE": "",
            "DJANGO_DEBUG": "false",  # as in production: no query log growing in memory
            "DJANGO_SECRET_KEY": secret,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url,
            "DJANGO_MEDIA_ROOT": str(media_root),
            "PYTHONPATH": str(BASE_DIR),
        }
    )
    return env


def s3_env(env: dict[str, str], args) -> dict[str, str]:
    """The children's environment with DJANGO_STORAGE_BACKEND=s3 on the given endpoint (MinIO, moto…)."""
    return {
        **env,
        "DJANGO_STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": args.s3_bucket,
        "AWS_S3_ENDPOINT_URL": args.s3_endpoint,
        "AWS_S3_REGION_NAME": os.environ.get("AWS_S3_REGION_NAME", "us-east-1"),
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "bench"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "bench-secret"),
    }


def child(env: dict[str, str], task: str, **spec) -> dict:
    python = str(VENV_PYTHON if VENV_PYTHON.exists() else sys.executable)
    proc = subprocess.run(
        [python, str(Path(__file__).resolve()), "--child", json.dumps({"task": task, **spec})],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"bench/documents.py {task} failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _server_and_name(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def _admin(url: str):
    """A connection to the server's "postgres" database, in autocommit (CREATE/DROP DATABASE), closed on exit."""
    import psycopg2

    server, _name = _server_and_name(url)
    connection = psycopg2.connect(server)
    connection.autocommit = True
    return closing(connection)


def database_label(url: str) -> str | None:
    """The comment the benchmark wrote on its database (what it holds), or None if there is none."""
    _server, name = _server_and_name(url)
    with _admin(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
        row = cursor.fetchone()
    return row[0] if row else None


def prepare_data(args, env: dict[str, str]) -> dict:
    """The benchmark's database, built unless it already holds the rows asked for."""
    wanted = {"version": DATA_VERSION, "short": args.short_units, "long": args.long_units, "seed": args.seed}
    label = database_label(args.database_url)
    try:
        existing = json.loads(label) if label else None
    except json.JSONDecodeError:
        existing = None
    if existing and not args.rebuild and existing.get("wanted") == wanted:
        restored = child(env, "restore")["written"]
        if restored:
            print(f"  wrote {restored} dossier files again under {args.media_root}", file=sys.stderr)
        return existing["built"]
    if label is not None and existing is None and not args.rebuild:
        raise SystemExit(
            f"{args.database_url} exists and was not made by this benchmark: choose another --database-url."
        )
    from psycopg2 import sql

    _server, name = _server_and_name(args.database_url)
    started = time.perf_counter()
    with _admin(args.database_url) as connection, connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    child(env, "migrate")
    built = child(env, "build", short_units=args.short_units, long_units=args.long_units, seed=args.seed)
    with _admin(args.database_url) as connection, connection.cursor() as cursor:
        comment = json.dumps({"wanted": wanted, "built": built})
        cursor.execute(sql.SQL("COMMENT ON DATABASE {} IS %s").format(sql.Identifier(name)), [comment])
    print(f"  built the documents' data in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return built


def national_plan(args, secret: str) -> dict | None:
    url = args.national_url
    if not url.startswith(("postgres://", "postgresql://")) or url.rstrip("/") == args.database_url.rstrip("/"):
        return None
    try:
        probe = child(child_env(url, args.media_root, secret), "probe")
    except RuntimeError as error:
        print(f"  no national data at {url}: {str(error).strip().splitlines()[-1]}", file=sys.stderr)
        return None
    if probe["units"] < NATIONAL_MIN_UNITS or probe["plan"] is None:
        return None
    return {"url": url, **probe}


def row(measure, value, floor, ratio, target, ok) -> dict:
    return {
        "measure": measure,
        "value": value,
        "floor": floor,
        "ratio": None if ratio is None else round(ratio, 2),
        "target": target,
        "ok": bool(ok),
    }


def measure(args) -> tuple[list[dict], list[str]]:
    secret = secrets.token_urlsafe(50)
    if not args.database_url:
        server = os.environ.get("DATABASE_URL", "")
        server = server if server.startswith(("postgres://", "postgresql://")) else DEFAULT_SERVER
        args.database_url = urllib.parse.urlunsplit(urllib.parse.urlsplit(server)._replace(path=f"/{DATABASE_NAME}"))
    args.media_root.mkdir(parents=True, exist_ok=True)
    env = child_env(args.database_url, args.media_root, secret)
    print(f"documents benchmark: data in {args.database_url}, files in {args.media_root}", file=sys.stderr)
    built = prepare_data(args, env)
    rows: list[dict] = []
    notes: list[str] = []
    repeat = args.repeat

    # b. Excel
    national = national_plan(args, secret)
    if national:
        excel_env, excel_plan = child_env(national["url"], args.media_root, secret), national["plan"]
        where = f"national data set ({national['units']:,} units, plan {national['year']})"
    else:
        excel_env, excel_plan = env, built["long_plan"]
        where = "the benchmark's own data (Hà Nam + the long annex; no national data set found)"
    print(f"  Excel on {where}", file=sys.stderr)
    ours, floor = (
        child(excel_env, "excel", plan=excel_plan, variant=variant, repeat=repeat) for variant in ("ours", "floor")
    )
    label = f"Summary Excel, {ours['annex_rows']:,} annex rows"
    rows.append(
        row(
            f"{label}: CPU seconds",
            f"{ours['seconds']:.2f} s",
            f"{floor['seconds']:.2f} s",
            ours["seconds"] / floor["seconds"],
            f"≤ {EXCEL_MAX_RATIO} × floor",
            ours["seconds"] <= EXCEL_MAX_RATIO * floor["seconds"],
        )
    )
    rows.append(
        row(
            f"{label}: peak memory",
            f"{ours['peak_mb']:.0f} MB",
            f"{floor['peak_mb']:.0f} MB",
            ours["peak_mb"] / floor["peak_mb"],
            f"≤ {EXCEL_MAX_MB} MB",
            ours["peak_mb"] <= EXCEL_MAX_MB,
        )
    )
    notes.append(
        f"Excel on {where}: {ours['cells']:,} cells in a {ours['bytes'] / MB:.1f} MB file; summary_data "
        f"took {ours['data_seconds']:.2f} s (in neither time); wall seconds {ours['wall']:.2f} / floor "
        f"{floor['wall']:.2f}."
    )

    # c. PDF
    pdf = {}
    for size, plan in (("short", built["short_plan"]), ("long", built["long_plan"])):
        pdf[size] = (
            child(env, "pdf", plan=plan, floor=False, repeat=repeat if size == "short" else max(1, repeat - 1)),
            child(env, "pdf", plan=plan, floor=True, repeat=repeat if size == "short" else max(1, repeat - 1)),
        )
        ours, floor = pdf[size]
        rows.append(
            row(
                f"Summary PDF, {ours['annex_rows']:,} annex rows: CPU seconds (pages)",
                f"{ours['seconds']:.2f} s ({ours['pages']} p)",
                f"{floor['seconds']:.2f} s ({floor['pages']} p)",
                ours["seconds"] / floor["seconds"],
                f"≤ {PDF_MAX_RATIO} × floor",
                ours["seconds"] <= PDF_MAX_RATIO * floor["seconds"],
            )
        )
    per_page = {size: (o["seconds"] / o["pages"], f["seconds"] / f["pages"]) for size, (o, f) in pdf.items()}
    growth = per_page["long"][0] / per_page["short"][0]
    rows.append(
        row(
            f"Summary PDF: s/page at {pdf['long'][0]['pages']} vs {pdf['short'][0]['pages']} pages",
            f"{per_page['long'][0]:.3f} vs {per_page['short'][0]:.3f}",
            f"{per_page['long'][1]:.3f} vs {per_page['short'][1]:.3f}",
            growth,
            f"≤ {PDF_MAX_PAGE_GROWTH}",
            growth <= PDF_MAX_PAGE_GROWTH,
        )
    )
    missed = [size for size, (o, f) in pdf.items() if o["seconds"] > PDF_MAX_RATIO * f["seconds"]]
    if missed:
        notes.append(
            "PDF target missed ("
            + ", ".join(f"{pdf[size][0]['pages']} pages" for size in missed)
            + "). What blocks it: content the floor does not have, not speed: per page the report costs what "
            f"the floor costs ({per_page['long'][0]:.3f} against {per_page['long'][1]:.3f} s/page at "
            f"{pdf['long'][0]['pages']} pages), but it prints its body tables on portrait A4 at 12 pt (the "
            f"official layout) where the floor prints them landscape at 10 pt ({pdf['long'][0]['pages']} "
            f"pages against {pdf['long'][1]['pages']}), and adds the header block, paragraphs and five "
            "charts (27 % of the short report's time). See docs/performance.md, Documents."
        )
    notes.append(
        "PDF floor: WeasyPrint on bare HTML tables (A4 landscape, 10 pt) of the rows the report prints. "
        f"Wall seconds {pdf['short'][0]['wall']:.1f} / {pdf['long'][0]['wall']:.1f} (floor "
        f"{pdf['short'][1]['wall']:.1f} / {pdf['long'][1]['wall']:.1f}); peak memory "
        f"{pdf['long'][0]['peak_mb']:.0f} MB for the long report (floor {pdf['long'][1]['peak_mb']:.0f} MB)."
    )

    # d. Dossier, on this machine's disk and, given an S3 endpoint, from a bucket
    stores = {"disk": env}
    if args.s3_endpoint:
        stores["S3"] = s3_env(env, args)
        copied = child(stores["S3"], "s3_sync", media_root=str(args.media_root))["copied"]
        print(f"  S3 at {args.s3_endpoint}: {copied} dossier files copied into {args.s3_bucket}", file=sys.stderr)
    for store, store_env in stores.items():
        dossier = {label: child(store_env, "dossier", inspection=pk) for label, pk in built["dossiers"].items()}
        small, large = dossier["20 MB"], dossier["200 MB"]
        for label, result in dossier.items():
            flat = result is small or result["peak_mb"] - small["peak_mb"] <= DOSSIER_MAX_GROWTH_MB
            rows.append(
                row(
                    f"Dossier ZIP, {label} of files ({store}): peak memory",
                    f"{result['peak_mb']:.0f} MB ({result['seconds']:.1f} s, {result['bytes'] / MB:.0f} MB out)",
                    f"{small['peak_mb']:.0f} MB (20 MB)" if result is not small else "",
                    result["peak_mb"] / small["peak_mb"] if result is not small else None,
                    f"flat: ≤ 20 MB case + {DOSSIER_MAX_GROWTH_MB} MB",
                    flat and result["bytes"] == result["size"],
                )
            )
        notes.append(
            f"Dossier ({store}): {large['bytes'] / MB:.0f} MB streamed in {large['seconds']:.1f} s wall; "
            f"peak before the archive started {small['base_mb']:.0f} / {large['base_mb']:.0f} MB."
        )
    return rows, notes


def table(rows: list[dict]) -> str:
    headers = ["measure", "value", "floor", "ratio", "target", "ok"]
    cells = [
        [r["measure"], r["value"], r["floor"], "" if r["ratio"] is None else f"{r['ratio']:.2f}", r["target"]]
        + ["yes" if r["ok"] else "NO"]
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)) for cell in cells]
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        run_child(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the rows here as JSON")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DOCUMENTS_DATABASE_URL", ""),
        help=f"the benchmark's own database (default: {DATABASE_NAME} on DATABASE_URL's server)",
    )
    parser.add_argument(
        "--national-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a database holding the national data set, for the Excel (default: DATABASE_URL)",
    )
    parser.add_argument(
        "--media-root",
        type=Path,
        default=Path(os.environ.get("BENCH_DOCUMENTS_MEDIA_ROOT", "/tmp/cchc-bench-documents-media")),
        help="where the dossier visits' files are kept",
    )
    parser.add_argument(
        "--short-units", type=int, default=0, help="direct units added to Hà Nam 2022 (0: the real plan, ≈10 pages)"
    )
    parser.add_argument("--long-units", type=int, default=520, help="direct units added to the 2023 copy (≈100 pages)")
    parser.add_argument(
        "--s3-endpoint",
        default=os.environ.get("BENCH_S3_ENDPOINT_URL", ""),
        help="also stream the dossiers from this S3-compatible server (keys from AWS_ACCESS_KEY_ID/…)",
    )
    parser.add_argument("--s3-bucket", default="cchc-bench-documents", help="made if missing")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure; the best time is kept")
    parser.add_argument("--rebuild", action="store_true", help="build the benchmark's database again")
    args = parser.parse_args()
    started = time.perf_counter()
    rows, notes = measure(args)
    print(table(rows))
    for note in notes:
        print(f"- {note}")
    print(f"({os.cpu_count()} cores, {time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
