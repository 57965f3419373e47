"""The data bench/documents.py measures the documents on, built in a database of its own.

Hà Nam's real registry and 2022 plan (fixtures/, with the demo team, visits, findings and conclusions),
then, to give the summary's unit annex a chosen length, more communes inspected directly: each with
its visit, pre-visit report, paper copies, findings, an issued conclusion and remediation requests in
mixed states (seeded, so every run builds the same rows). The 2022 plan gets the short annex (≈10
pages), a copy of it for 2023 the long one (≈100 pages). Two more 2022 visits carry 20 MB and 200 MB
of evidence files for the dossier.

The extra communes reuse the names of Hà Nam's real communes (numbered from the second round on):
the annex prints real-looking names of real lengths. Run through bench/documents.py, which points
Django at the benchmark's database and its own MEDIA_ROOT.
"""

import datetime
import hashlib
import os
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from inspections import services
from inspections.models import (
    Conclusion,
    ConclusionRevision,
    EvidenceFile,
    Finding,
    Inspection,
    InspectionPlan,
    PaperCopyReceipt,
    RemediationAction,
    Submission,
)
from units.models import Unit
from units.services import units_load_fixture

MB = 1024 * 1024
SHORT_YEAR, LONG_YEAR = 2022, 2023
# Evidence of the two dossier visits: (label, number of files, bytes per file). 20 MB is the largest
# file a unit may upload (UPLOAD_MAX_BYTES).
DOSSIERS = {"20 MB": (10, 2 * MB), "200 MB": (10, 20 * MB)}
CODE_PREFIX = "BENCH"

STRENGTHS = [
    "Ban hành kế hoạch cải cách hành chính năm kịp thời, đúng nội dung.",
    "Niêm yết công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa.",
    "Tỷ lệ hồ sơ giải quyết đúng hạn cao.",
]
SHORTCOMINGS = [
    "Chưa cập nhật kịp thời thủ tục hành chính mới ban hành lên Cổng dịch vụ công.",
    "Một số hồ sơ trễ hạn chưa có văn bản xin lỗi tổ chức, cá nhân.",
    "Chưa tổ chức tự kiểm tra công tác cải cách hành chính theo kế hoạch.",
    "Việc số hóa hồ sơ, kết quả giải quyết thủ tục hành chính còn chậm.",
]


@dataclass
class Built:
    short_plan: int
    long_plan: int
    dossiers: dict[str, int]  # label -> inspection pk


def build(*, short_units: int, long_units: int, seed: int) -> Built:
    """Build everything in an empty, migrated database (bench/documents.py makes it)."""
    rng = random.Random(seed)
    units_load_fixture()
    with open(os.devnull, "w") as quiet:
        call_command("demo_accounts", force=True, stdout=quiet)
    with transaction.atomic():
        short_plan = services.plan_load_fixture()  # Hà Nam 2022, with the demo team and visits
    long_plan = services.plan_copy_to_next_year(plan=short_plan)
    InspectionPlan.objects.filter(pk=long_plan.pk).update(status=InspectionPlan.Status.ACTIVE)
    lead = get_user_model().objects.get(username="truongdoan")

    communes = _communes(max(short_units, long_units) + len(DOSSIERS))
    _directly_inspect(short_plan, communes[:short_units], lead, rng)
    _directly_inspect(long_plan, communes[:long_units], lead, rng)
    dossiers = {}
    for (label, (count, size)), unit in zip(DOSSIERS.items(), communes[-len(DOSSIERS) :], strict=True):
        dossiers[label] = _dossier_visit(short_plan, unit, lead, count=count, size=size).pk
    return Built(short_plan=short_plan.pk, long_plan=long_plan.pk, dossiers=dossiers)


def _communes(count: int) -> list[Unit]:
    real = list(Unit.objects.filter(kind=Unit.Kind.COMMUNE).order_by("parent__sort_order", "sort_order"))
    units = []
    for index in range(count):
        model = real[index % len(real)]
        round_ = index // len(real) + 1
        suffix = f" ({round_})" if round_ > 1 else ""
        units.append(
            Unit(
                kind=Unit.Kind.COMMUNE,
                parent_id=model.parent_id,
                name=model.name + suffix,
                short_name=model.short_name + suffix,
                code=f"{CODE_PREFIX}{index:05d}",
                sort_order=1000 + index,
                search_text=f"{model.search_text}{suffix}",
            )
        )
    return Unit.objects.bulk_create(units)


@transaction.atomic
def _directly_inspect(plan: InspectionPlan, units: list[Unit], lead, rng: random.Random) -> None:
    """A visit for each unit, in the plan's window, with what follows it (bulk: no service rules)."""
    plan.directly_inspected_units.add(*units)
    areas = list(plan.areas.order_by("number"))
    days = (plan.window_end - plan.window_start).days
    visits = Inspection.objects.bulk_create(
        Inspection(
            plan=plan,
            unit=unit,
            date=plan.window_start + datetime.timedelta(days=rng.randrange(days)),
            start_time=datetime.time(8),
            end_time=datetime.time(11, 30),
            place=f"Hội trường {unit.short_name}",
            status=rng.choices(
                [Inspection.Status.DONE, Inspection.Status.SCHEDULED, Inspection.Status.CANCELLED], [85, 10, 5]
            )[0],
            scheduled_on=plan.window_start - datetime.timedelta(days=20),
        )
        for unit in units
    )
    submissions, copies, findings = [], [], []
    for visit in visits:
        due = visit.report_due_date
        if rng.random() < 0.9:
            late_days = rng.choice([-5, -3, -1, 0, 2])
            uploaded = timezone.make_aware(datetime.datetime.combine(due, datetime.time(9)))
            submissions.append(
                Submission(
                    plan=plan,
                    unit_id=visit.unit_id,
                    inspection=visit,
                    kind=Submission.Kind.REPORT,
                    file=f"submissions/{plan.year}/{CODE_PREFIX}/{visit.pk}.pdf",
                    original_name="Báo cáo kết quả thực hiện công tác CCHC.pdf",
                    extension="pdf",
                    size=250_000,
                    sha256=hashlib.sha256(str(visit.pk).encode()).hexdigest(),
                    uploaded_by=lead,
                    uploaded_at=uploaded + datetime.timedelta(days=late_days),
                    due_date=due,
                )
            )
        if visit.status != Inspection.Status.DONE:
            continue
        copies.append(
            PaperCopyReceipt(inspection=visit, count=rng.choice([1, 2, 2]), received_on=due, recorded_by=lead)
        )
        for kind, texts, number in (
            (Finding.Kind.STRENGTH, STRENGTHS, 2),
            (Finding.Kind.SHORTCOMING, SHORTCOMINGS, rng.randint(1, 3)),
        ):
            for text in rng.sample(texts, number):
                findings.append(
                    Finding(
                        plan=plan,
                        unit_id=visit.unit_id,
                        inspection=visit,
                        area=rng.choice(areas),
                        kind=kind,
                        text=text,
                        created_by=lead,
                    )
                )
    Submission.objects.bulk_create(submissions)
    PaperCopyReceipt.objects.bulk_create(copies)
    findings = Finding.objects.bulk_create(findings)

    done = [v for v in visits if v.status == Inspection.Status.DONE]
    conclusions = Conclusion.objects.bulk_create(
        Conclusion(
            inspection=visit,
            general_assessment=f"{visit.unit.name} đã triển khai cơ bản đầy đủ các nhiệm vụ cải cách hành chính.",
            status=Conclusion.Status.ISSUED,
            updated_by=lead,
        )
        for visit in done
    )
    shortcomings: dict[int, list[Finding]] = {}
    for finding in findings:
        if finding.kind == Finding.Kind.SHORTCOMING:
            shortcomings.setdefault(finding.inspection_id, []).append(finding)
    statuses = list(RemediationAction.Status)
    actions, revisions = [], []
    for conclusion, visit in zip(conclusions, done, strict=True):
        own = [
            RemediationAction(
                conclusion=conclusion,
                unit_id=visit.unit_id,
                finding=finding,
                text=f"Khắc phục: {finding.text[0].lower()}{finding.text[1:]}",
                deadline=visit.date + datetime.timedelta(days=rng.choice([30, 45, 60])),
                status=rng.choices(statuses, [30, 25, 10, 35])[0],
            )
            for finding in shortcomings.get(visit.pk, [])
        ]
        actions.extend(own)
        revisions.append(
            ConclusionRevision(
                conclusion=conclusion,
                number=1,
                snapshot={
                    "unit": visit.unit.name,
                    "date": visit.date.isoformat(),
                    "general_assessment": conclusion.general_assessment,
                    "areas": [],
                    "findings": [],
                    "actions": [{"text": a.text, "deadline": a.deadline.isoformat()} for a in own],
                },
                issued_by=lead,
                issued_at=timezone.make_aware(datetime.datetime.combine(visit.date, datetime.time(16))),
            )
        )
    RemediationAction.objects.bulk_create(actions)
    ConclusionRevision.objects.bulk_create(revisions)


def _dossier_visit(plan, unit, lead, *, count: int, size: int) -> Inspection:
    """A finished visit whose finding carries `count` files of `size` bytes."""
    plan.directly_inspected_units.add(unit)
    visit = Inspection.objects.create(
        plan=plan,
        unit=unit,
        date=plan.window_start + datetime.timedelta(days=10),
        start_time=datetime.time(14),
        end_time=datetime.time(17),
        place=f"Hội trường {unit.short_name}",
        status=Inspection.Status.DONE,
        scheduled_on=plan.window_start - datetime.timedelta(days=20),
    )
    area = plan.areas.order_by("number").first()
    finding = Finding.objects.create(
        plan=plan,
        unit=unit,
        inspection=visit,
        area=area,
        kind=Finding.Kind.SHORTCOMING,
        text=SHORTCOMINGS[0],
        created_by=lead,
    )
    for number in range(1, count + 1):
        name, digest = write_evidence(f"evidence/{CODE_PREFIX}/{visit.pk}-{number}.pdf", size)
        EvidenceFile.objects.create(
            finding=finding,
            file=name,
            original_name=f"Biên bản kiểm tra số {number}.pdf",
            extension="pdf",
            size=size,
            sha256=digest,
            uploaded_by=lead,
        )
    return visit


def write_evidence(name: str, size: int) -> tuple[str, str]:
    """A file of `size` incompressible bytes in storage, the same bytes for the same name on every run
    (so a lost media folder is written again to match the rows); (name, sha256)."""
    content = random.Random(name).randbytes(size)
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(content))
    if stored != name:
        raise RuntimeError(f"{name} was stored as {stored}")
    return name, hashlib.sha256(content).hexdigest()


def evidence_restore() -> int:
    """Write again any dossier file missing from storage or of the wrong size; how many were written."""
    written = 0
    for name, size, sha256 in EvidenceFile.objects.filter(file__startswith=f"evidence/{CODE_PREFIX}/").values_list(
        "file", "size", "sha256"
    ):
        if default_storage.exists(name) and default_storage.size(name) == size:
            continue
        if write_evidence(name, size)[1] != sha256:
            raise RuntimeError(f"{name}: rewritten bytes differ from the recorded checksum")
        written += 1
    return written
