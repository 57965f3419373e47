"""The inspection dossier (hồ sơ kiểm tra, seed §I.2): every document of one visit in one ZIP.

`dossier_entries` gathers what goes in, in a fixed number of queries, reading no file. `dossier_archive`
(and `dossier_stream`) make the ZIP with zipstream-ng: stored files are read from storage in chunks
while the client downloads, so memory stays flat however heavy the evidence. Only the small documents
made on the way (the appendix workbook, the conclusions, the index) are held in memory.

Names inside the archive are the app's own (ASCII, numbered folders); the names users gave their
files appear only in the index, "00-muc-luc.csv" (UTF-8 with BOM, for Excel) and "00-muc-luc.html".
"""

import csv
import datetime
import hashlib
import importlib
import io
import json
import re
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from zipstream import ZipStream

from inspections.models import (
    AppendixValue,
    ConclusionRevision,
    EvidenceFile,
    Inspection,
    ScheduleNotice,
    Submission,
)
from reports.appendix_excel import appendix_template_xlsx

CHUNK_SIZE = 64 * 1024
LOCAL_TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
INDEX_CSV = "00-muc-luc.csv"
INDEX_HTML = "00-muc-luc.html"
NOTICES = "01-thong-bao"
REPORTS = "02-bao-cao"
FIGURES = "03-so-lieu-phu-luc"
FINDING_EVIDENCE = "04-minh-chung-kiem-tra"
CONCLUSIONS = "05-ket-luan"
REMEDIATION_EVIDENCE = "06-khac-phuc"

SUBMISSION_SLUGS = {Submission.Kind.REPORT: "bao-cao", Submission.Kind.APPENDIX: "phu-luc"}
NOTICE_SLUGS = {
    ScheduleNotice.Kind.INITIAL: "thong-bao-lich-kiem-tra",
    ScheduleNotice.Kind.UPDATE: "thong-bao-thay-doi-lich",
}
MISSING_NOTE = "Không tìm thấy tệp trong kho lưu trữ: chưa đưa vào hồ sơ."
INDEX_HEADERS = [
    "STT",
    "Tệp trong hồ sơ",
    "Mô tả",
    "Tên tệp gốc",
    "Người tải lên",
    "Thời điểm tải lên",
    "Dung lượng (byte)",
    "SHA-256",
    "Ghi chú",
]


@dataclass
class Entry:
    """One file of the dossier: a stored file streamed from storage, or a document made on the way."""

    path: str
    description: str
    uploaded_by: str = ""
    uploaded_at: datetime.datetime | None = None
    original_name: str = ""
    file: object = None  # a FieldFile: read from its storage in chunks
    render: Callable[[], bytes] | None = None  # a small document, made when the archive is built
    size: int | None = None
    sha256: str = ""
    note: str = ""
    missing: bool = False

    def chunks(self) -> Iterator[bytes]:
        handle = self.file.storage.open(self.file.name, "rb")
        try:
            while chunk := handle.read(CHUNK_SIZE):
                yield chunk
        finally:
            handle.close()


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(moment, LOCAL_TZ) if moment else None


def format_moment(moment: datetime.datetime | None) -> str:
    """dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh."""
    local = _local(moment)
    return f"{local:%d/%m/%Y %H:%M}" if local else ""


def _day(moment: datetime.datetime) -> str:
    return f"{_local(moment):%Y-%m-%d}"


def _extension(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(value).lower())[:8] or "bin"


def _shorten(text: str, limit: int = 120) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def conclusion_docs():
    """reports.conclusion_docs if it is there (conclusion_context and conclusion_pdf), else None."""
    try:
        module = importlib.import_module("reports.conclusion_docs")
    except ModuleNotFoundError as error:
        if error.name != "reports.conclusion_docs":
            raise
        return None
    if not (hasattr(module, "conclusion_context") and hasattr(module, "conclusion_pdf")):
        return None
    return module


def dossier_entries(inspection: Inspection) -> list[Entry]:
    """Every document of the visit, in archive order. Seven queries whatever the visit holds
    (plus the plan and the unit when `inspection` was loaded without them); no file is read.
    Descriptions are in Vietnamese, whatever language the session is in."""
    with translation.override("vi"):
        return _entries(inspection)


def _entries(inspection: Inspection) -> list[Entry]:
    plan, unit = inspection.plan, inspection.unit
    entries: list[Entry] = []

    notices = ScheduleNotice.objects.filter(inspection=inspection).select_related("sent_by").order_by("sent_at", "pk")
    for number, notice in enumerate(notices, start=1):
        entries.append(
            Entry(
                path=f"{NOTICES}/{NOTICE_SLUGS.get(notice.kind, 'thong-bao')}-{number}-{_day(notice.sent_at)}.pdf",
                description=f"{notice.get_kind_display()} (lần gửi thứ {number})",
                uploaded_by=_person(notice.sent_by),
                uploaded_at=notice.sent_at,
                file=notice.pdf,
            )
        )

    submissions = (
        Submission.objects.filter(
            Q(inspection=inspection)
            | Q(inspection__isnull=True, plan_id=plan.pk, unit_id=unit.pk, kind__in=list(SUBMISSION_SLUGS))
        )
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )
    versions: dict[str, int] = {}
    for submission in submissions:
        version = versions[submission.kind] = versions.get(submission.kind, 0) + 1
        slug = SUBMISSION_SLUGS.get(submission.kind, "tai-lieu")
        description = f"{submission.get_kind_display()}, phiên bản {version}"
        if submission.is_late:
            description += " (gửi sau hạn)"
        entries.append(
            Entry(
                path=f"{REPORTS}/{slug}-v{version}-{_day(submission.uploaded_at)}.{_extension(submission.extension)}",
                description=description,
                uploaded_by=_person(submission.uploaded_by),
                uploaded_at=submission.uploaded_at,
                original_name=submission.original_name,
                file=submission.file,
                size=submission.size,
                sha256=submission.sha256,
            )
        )

    figures = list(plan.figures.all())
    if figures:
        values = list(AppendixValue.objects.filter(plan=plan, unit=unit).select_related("updated_by"))
        latest = max(values, key=lambda v: v.updated_at, default=None)
        by_code = {v.figure_id: v.value for v in values}
        filled = {f.code: by_code[f.pk] for f in figures if f.pk in by_code}
        entries.append(
            Entry(
                path=f"{FIGURES}/phu-luc-so-lieu.xlsx",
                description="Phụ lục số liệu của đơn vị (bảng tính tạo từ số liệu đã nhập)"
                if values
                else "Phụ lục số liệu của đơn vị (đơn vị chưa nhập số liệu)",
                uploaded_by=_person(latest.updated_by) if latest else "",
                uploaded_at=latest.updated_at if latest else None,
                render=lambda: appendix_template_xlsx(
                    plan_title=plan.title, unit_name=unit.name, figures=figures, values=filled
                ),
            )
        )

    finding_evidence = (
        EvidenceFile.objects.filter(finding__inspection=inspection)
        .select_related("uploaded_by", "finding__area")
        .order_by("finding__area__number", "finding_id", "uploaded_at", "pk")
    )
    counts: dict[int, int] = {}
    for evidence in finding_evidence:
        finding = evidence.finding
        number = counts[finding.pk] = counts.get(finding.pk, 0) + 1
        entries.append(
            _evidence_entry(
                evidence,
                path=f"{FINDING_EVIDENCE}/noi-dung-{finding.area.number}-ket-qua-{finding.pk}-tep-{number}",
                description=(
                    f"Minh chứng kết quả kiểm tra, nội dung {finding.area.number} "
                    f"({finding.get_kind_display()}): {_shorten(finding.text)}"
                ),
            )
        )

    revisions = (
        ConclusionRevision.objects.filter(conclusion__inspection=inspection)
        # conclusion_context reads the visit, its plan and unit from the revision.
        .select_related("issued_by", "reopened_by", "conclusion__inspection__plan", "conclusion__inspection__unit")
        .order_by("number")
    )
    for revision in revisions:
        entries.append(_revision_entry(revision))

    remediation_evidence = (
        EvidenceFile.objects.filter(remediation_report__action__conclusion__inspection=inspection)
        .select_related("uploaded_by", "remediation_report__action")
        .order_by(
            "remediation_report__action__deadline",
            "remediation_report__action_id",
            "remediation_report__submitted_at",
            "remediation_report_id",
            "uploaded_at",
            "pk",
        )
    )
    counts = {}
    for evidence in remediation_evidence:
        report = evidence.remediation_report
        number = counts[report.pk] = counts.get(report.pk, 0) + 1
        entries.append(
            _evidence_entry(
                evidence,
                path=f"{REMEDIATION_EVIDENCE}/yeu-cau-{report.action_id}-bao-cao-{report.pk}-tep-{number}",
                description=f"Minh chứng khắc phục, yêu cầu: {_shorten(report.action.text)}",
            )
        )
    return _unique_paths(entries)


def _evidence_entry(evidence: EvidenceFile, *, path: str, description: str) -> Entry:
    return Entry(
        path=f"{path}.{_extension(evidence.extension)}",
        description=description,
        uploaded_by=_person(evidence.uploaded_by),
        uploaded_at=evidence.uploaded_at,
        original_name=evidence.original_name,
        file=evidence.file,
        size=evidence.size,
        sha256=evidence.sha256,
    )


def _revision_entry(revision: ConclusionRevision) -> Entry:
    description = f"Kết luận kiểm tra, ban hành lần {revision.number}"
    if revision.reopened_at:
        description += (
            f" (mở lại ngày {format_moment(revision.reopened_at)} bởi {_person(revision.reopened_by)}; "
            f"lý do: {_shorten(revision.reopen_reason)})"
        )
    stem = f"{CONCLUSIONS}/ket-luan-lan-{revision.number}-{_day(revision.issued_at)}"
    common = {"uploaded_by": _person(revision.issued_by), "uploaded_at": revision.issued_at}
    # The PDF module may arrive after this one: looked up on every dossier, never cached.
    docs = conclusion_docs()
    if docs is not None:
        return Entry(
            path=f"{stem}.pdf",
            description=description,
            render=lambda: docs.conclusion_pdf(docs.conclusion_context(revision)),
            **common,
        )
    return Entry(
        path=f"{stem}.json",
        description=description + " - nội dung đã ban hành (JSON)",
        render=lambda: json.dumps(revision.snapshot, ensure_ascii=False, indent=2).encode("utf-8"),
        **common,
    )


def _unique_paths(entries: list[Entry]) -> list[Entry]:
    """A second file that would take a name already used gets "-2", "-3"… before its extension."""
    seen: set[str] = {INDEX_CSV, INDEX_HTML}
    for entry in entries:
        stem, dot, extension = entry.path.rpartition(".")
        candidate, number = entry.path, 1
        while candidate in seen:
            number += 1
            candidate = f"{stem}-{number}{dot}{extension}"
        entry.path = candidate
        seen.add(candidate)
    return entries


def _hash_stored(entry: Entry) -> str:
    digest = hashlib.sha256()
    for chunk in entry.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def _prepare(entry: Entry) -> bytes | None:
    """Make a generated document (returned), or check a stored file is there and learn its size."""
    if entry.render is not None:
        data = entry.render()
        entry.size, entry.sha256 = len(data), hashlib.sha256(data).hexdigest()
        return data
    try:
        entry.size = entry.file.storage.size(entry.file.name)
    except (OSError, ValueError):
        entry.missing, entry.size, entry.note = True, None, MISSING_NOTE
        return None
    if not entry.sha256:
        # Schedule notices keep no checksum; they are small PDFs the app made.
        entry.sha256 = _hash_stored(entry)
    return None


def _index_rows(entries: list[Entry]) -> list[dict]:
    return [
        {
            "number": number,
            "path": entry.path,
            "description": entry.description,
            "original_name": entry.original_name,
            "uploaded_by": entry.uploaded_by,
            "uploaded_at": format_moment(entry.uploaded_at),
            "size": "" if entry.size is None else entry.size,
            "sha256": entry.sha256,
            "note": entry.note,
        }
        for number, entry in enumerate(entries, start=1)
    ]


def _csv_cell(value) -> object:
    # Text a user typed must not become an Excel formula when the index is opened.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def index_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(INDEX_HEADERS)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row.values()])
    return buffer.getvalue().encode("utf-8-sig")


def index_html(inspection: Inspection, rows: list[dict]) -> bytes:
    with translation.override("vi"):
        html = render_to_string(
            "reports/dossier_index.html",
            {
                "inspection": inspection,
                "unit_name": inspection.unit.name,
                "year": inspection.plan.year,
                "visit_date": f"{inspection.date:%d/%m/%Y}",
                "made_at": format_moment(timezone.now()),
                "headers": INDEX_HEADERS,
                "rows": rows,
            },
        )
    return html.encode("utf-8")


def dossier_archive(inspection: Inspection, entries: list[Entry] | None = None) -> ZipStream:
    """The dossier as a sized ZipStream (len() is the archive's size): iterate it for the bytes."""
    entries = dossier_entries(inspection) if entries is None else entries
    generated = {id(entry): _prepare(entry) for entry in entries}
    rows = _index_rows(entries)

    archive = ZipStream(sized=True)
    archive.add(index_csv(rows), INDEX_CSV)
    archive.add(index_html(inspection, rows), INDEX_HTML)
    for entry in entries:
        if entry.missing:
            continue
        data = generated[id(entry)]
        if data is not None:
            archive.add(data, entry.path)
        else:
            archive.add(entry.chunks(), entry.path, size=entry.size)
    return archive


def dossier_stream(inspection: Inspection) -> Iterator[bytes]:
    """The dossier's bytes, chunk by chunk."""
    return iter(dossier_archive(inspection))


def dossier_filename(inspection: Inspection) -> str:
    code = re.sub(r"[^A-Za-z0-9_-]+", "-", inspection.unit.code).strip("-") or str(inspection.unit_id)
    return f"ho-so-kiem-tra-{inspection.plan.year}-{code}.zip"
