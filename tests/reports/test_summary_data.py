"""summary_data: the provincial summary's figures on a small known plan, in a fixed number of queries."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time
from pypdf import PdfWriter

from inspections import services
from inspections.models import (
    Conclusion,
    Finding,
    PaperCopyReceipt,
    RemediationAction,
    SelfInspectedUnit,
    SelfInspection,
    Submission,
)
from reports.models import SummaryNote
from reports.summary import summary_data
from tests.factories import UnitFactory, UserFactory, user_with_role
from tests.inspections import conftest as inspections_conftest
from tests.inspections.factories import D, InspectionFactory, schedule_visit
from units.models import Unit
from units.roles import Role

pytestmark = pytest.mark.usefixtures("fast_passwords", "media_root")

# The 2022 plan, its team and two visits, as the inspections tests build them.
fast_passwords = inspections_conftest.fast_passwords
media_root = inspections_conftest.media_root
home_affairs = inspections_conftest.home_affairs
plan = inspections_conftest.plan
lead = inspections_conftest.lead
inspector_member = inspections_conftest.inspector_member
visit_a = inspections_conftest.visit_a
visit_b = inspections_conftest.visit_b

TODAY = "2022-11-05 09:00:00+07:00"  # after every deadline of the 2022 plan
RECOMMENDATIONS = "Đề nghị UBND tỉnh chỉ đạo các đơn vị khắc phục dứt điểm tồn tại, hạn chế trước 31/12/2022."
A_SHORT_1 = "Chưa công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa."
A_SHORT_2 = "Tỷ lệ hồ sơ trực tuyến toàn trình còn thấp."
B_SHORT = "Chưa rà soát, đơn giản hóa thủ tục hành chính theo kế hoạch."
GAMMA_SHORT = "Bộ phận Một cửa cấp xã chưa số hóa hồ sơ."
DELTA_SHORT = "Chưa ban hành kế hoạch CCHC đúng hạn."


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def send(plan, unit, kind, user, moment, inspection=None):
    with freeze_time(moment):
        return services.submission_create(
            plan=plan,
            unit=unit,
            kind=kind,
            uploaded_file=SimpleUploadedFile("Báo cáo.pdf", pdf_bytes()),
            user=user,
            inspection=inspection,
        )


@pytest.fixture
def lead_user(lead):
    lead.user = user_with_role(Role.INSPECTOR, username="lead", first_name="Hạnh", last_name="Nguyễn Thị Hồng")
    lead.save()
    return lead.user


@pytest.fixture
def known(plan, visit_a, visit_b, lead, lead_user, inspector, coordinator, unit_a, unit_b, home_affairs, user_a):
    """The plan of the tests, everything known:

    direct: Sở Beta (visit 10/08, report late, 3/8 copies, draft conclusion with one action),
            Sở Epsilon (visit 11/08, no report: missing), Sở Zeta (no visit yet: pending),
            Huyện Alpha (visit 09/08 done, report on time then a later version, 8/8 copies,
            issued conclusion with two actions, one verified);
    self-inspecting: Sở Nội vụ (nothing sent: missing), Sở Delta (results on time, one shortcoming),
            Huyện Gamma (results late, 1 of 5 units inspected: below 40%).
    """
    epsilon = UnitFactory(kind=Unit.Kind.DEPARTMENT, short_name="Sở Epsilon")
    zeta = UnitFactory(kind=Unit.Kind.DEPARTMENT, short_name="Sở Zeta")
    delta = UnitFactory(kind=Unit.Kind.DEPARTMENT, short_name="Sở Delta")
    gamma = UnitFactory(kind=Unit.Kind.DISTRICT, short_name="Huyện Gamma")
    children = [UnitFactory(kind=Unit.Kind.COMMUNE, parent=gamma, short_name=f"Xã Gamma {i}") for i in range(5)]
    plan.directly_inspected_units.add(epsilon, zeta)
    visit_e = schedule_visit(plan, epsilon, [lead], day=D(2022, 8, 11))
    areas = {a.number: a for a in plan.areas.all()}
    gamma_user = user_with_role(Role.UNIT_STAFF, username="gamma", unit=gamma)
    delta_user = user_with_role(Role.UNIT_STAFF, username="delta", unit=delta)
    user_b = user_with_role(Role.UNIT_STAFF, username="beta", unit=unit_b)

    # Reports before the visits: A on time (then a later version), B late, Epsilon none.
    send(plan, unit_a, Submission.Kind.REPORT, user_a, "2022-07-20 10:00:00+07:00", visit_a)
    send(plan, unit_a, Submission.Kind.REPORT, user_a, "2022-08-05 10:00:00+07:00", visit_a)
    send(plan, unit_b, Submission.Kind.REPORT, user_b, "2022-08-05 10:00:00+07:00", visit_b)
    for count, inspection in [(5, visit_a), (3, visit_a), (3, visit_b)]:
        services.paper_copies_record(inspection=inspection, count=count, received_on=D(2022, 8, 1), user=coordinator)

    # The visits' findings.
    kinds = Finding.Kind
    for visit, area, kind, text in [
        (visit_a, 1, kinds.STRENGTH, "Ban hành kế hoạch CCHC kịp thời."),
        (visit_a, 3, kinds.SHORTCOMING, A_SHORT_1),
        (visit_a, 3, kinds.SHORTCOMING, A_SHORT_2),
        (visit_b, 3, kinds.SHORTCOMING, B_SHORT),
        (visit_b, 7, kinds.STRENGTH, "Đã triển khai hệ thống quản lý văn bản điều hành."),
    ]:
        services.finding_record(
            inspection=visit, area=areas[area], criterion=None, kind=kind, text=text, user=inspector
        )

    # Alpha's conclusion issued with two actions; the first reported and verified.
    conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
    actions = [
        services.action_add(conclusion=conclusion, finding=f, text="", user=lead_user)
        for f in visit_a.findings.filter(kind=kinds.SHORTCOMING).order_by("pk")
    ]
    services.conclusion_save(conclusion=conclusion, general_assessment="Cơ bản đạt yêu cầu.", areas={}, user=lead_user)
    services.conclusion_issue(conclusion=conclusion, user=lead_user)
    with freeze_time("2022-09-20 10:00:00+07:00"):
        services.remediation_report(action=actions[0], text="Đã niêm yết đủ thủ tục.", user=user_a)
        services.remediation_review(action=actions[0], decision="verified", comment="", user=coordinator)
    # Beta's conclusion is still a draft with one action.
    draft = services.conclusion_start(inspection=visit_b, user=lead_user)
    services.action_add(conclusion=draft, finding=visit_b.findings.get(kind=kinds.SHORTCOMING), text="", user=lead_user)

    # Self-inspection.
    gamma_si = services.self_inspection_get(plan=plan, unit=gamma)
    services.self_inspected_unit_add(
        self_inspection=gamma_si, unit=children[0], inspected_on=D(2022, 9, 1), user=gamma_user
    )
    services.self_inspection_finding_add(
        self_inspection=gamma_si,
        area=areas[3],
        criterion=None,
        kind=kinds.SHORTCOMING,
        text=GAMMA_SHORT,
        user=gamma_user,
    )
    services.self_inspection_finding_add(
        self_inspection=gamma_si,
        area=areas[5],
        criterion=None,
        kind=kinds.STRENGTH,
        text="Tuyển dụng đúng quy định.",
        user=gamma_user,
    )
    delta_si = services.self_inspection_get(plan=plan, unit=delta)
    services.self_inspection_finding_add(
        self_inspection=delta_si,
        area=areas[1],
        criterion=None,
        kind=kinds.SHORTCOMING,
        text=DELTA_SHORT,
        user=delta_user,
    )
    send(plan, delta, Submission.Kind.SELF_INSPECTION_PLAN, delta_user, "2022-07-10 10:00:00+07:00")
    send(plan, delta, Submission.Kind.SELF_INSPECTION_REPORT, delta_user, "2022-10-20 10:00:00+07:00")
    send(plan, gamma, Submission.Kind.SELF_INSPECTION_REPORT, gamma_user, "2022-11-02 10:00:00+07:00")

    SummaryNote.objects.create(plan=plan, recommendations=RECOMMENDATIONS, updated_by=coordinator)
    return {
        "plan": plan,
        "alpha": unit_a,
        "beta": unit_b,
        "home_affairs": home_affairs,
        "epsilon": epsilon,
        "zeta": zeta,
        "delta": delta,
        "gamma": gamma,
        "visit_e": visit_e,
        "actions": actions,
    }


@pytest.fixture
def data(known):
    with freeze_time(TODAY):
        return summary_data(known["plan"])


def names(units):
    return [u.short_name for u in units]


# --- Organisation ----------------------------------------------------------------------------


def test_direct_units_with_visit_dates_statuses_and_reports(known, data):
    org = data["organisation"]
    assert data["plan"] == known["plan"]
    assert str(data["today"]) == "2022-11-05"
    rows = {r.unit.short_name: r for r in org["direct"]}
    assert names(r.unit for r in org["direct"]) == ["Sở Beta", "Sở Epsilon", "Sở Zeta", "Huyện Alpha"]
    assert org["direct_count"] == 4
    assert (rows["Huyện Alpha"].visit_date, rows["Huyện Alpha"].visit_status) == (D(2022, 8, 9), "done")
    assert rows["Huyện Alpha"].visit_status_label == "Đã kiểm tra"
    assert (rows["Sở Zeta"].visit_date, rows["Sở Zeta"].visit_status_label) == (None, "Chưa lên lịch")
    assert org["visits"] == {"done": 1, "scheduled": 2, "cancelled": 0, "unscheduled": 1, "total": 4}
    # the first report counts: Alpha's later version does not make it late
    assert {n: r.report.status for n, r in rows.items()} == {
        "Sở Beta": "late",
        "Sở Epsilon": "missing",
        "Sở Zeta": "pending",
        "Huyện Alpha": "on_time",
    }
    assert rows["Sở Beta"].report.due_date == D(2022, 8, 3)
    assert rows["Sở Beta"].report.label == "Muộn"
    assert rows["Sở Epsilon"].report.label == "Chưa gửi (quá hạn)"
    assert org["reports"] == {"on_time": 1, "late": 1, "missing": 1, "pending": 1, "not_required": 0}


def test_paper_copies_received_against_required(data):
    org = data["organisation"]
    rows = {r.unit.short_name: r for r in org["direct"]}
    assert org["copies_required"] == 8
    assert [(rows[n].copies_received, rows[n].copies_short) for n in ["Huyện Alpha", "Sở Beta", "Sở Epsilon"]] == [
        (8, False),
        (3, True),
        (0, True),
    ]
    assert names(r.unit for r in org["copies_short"]) == ["Sở Beta", "Sở Epsilon"]


def test_self_inspecting_units_are_every_other_department_and_district(data):
    org = data["organisation"]
    assert names(org["self_inspecting"]) == ["Sở Nội vụ", "Sở Delta", "Huyện Gamma"]
    assert org["self_inspecting_count"] == 3


def test_a_cancelled_visit_without_a_report_does_not_count_as_missing(known):
    visit = known["visit_e"]
    visit.status = "cancelled"
    visit.save(update_fields=["status"])
    with freeze_time(TODAY):
        data = summary_data(known["plan"])
    assert data["organisation"]["reports"]["missing"] == 0
    assert data["organisation"]["reports"]["not_required"] == 1
    assert data["organisation"]["visits"]["cancelled"] == 1


# --- Areas -----------------------------------------------------------------------------------


def test_strengths_and_shortcomings_per_area_visits_and_self_inspection_apart(data):
    areas = data["areas"]
    assert [a.number for a in areas] == [1, 2, 3, 4, 5, 6, 7]
    assert areas[0].title.startswith("Công tác chỉ đạo, điều hành")
    counts = [(a.visit_strengths, a.visit_shortcomings, a.self_strengths, a.self_shortcomings) for a in areas]
    assert counts == [(1, 0, 0, 1), (0, 0, 0, 0), (0, 3, 0, 1), (0, 0, 0, 0), (0, 0, 1, 0), (0, 0, 0, 0), (1, 0, 0, 0)]
    assert (areas[2].strengths, areas[2].shortcomings_total) == (0, 4)
    # departments before districts, then in the order recorded
    assert areas[2].shortcomings == [("Sở Beta", B_SHORT), ("Huyện Alpha", A_SHORT_1), ("Huyện Alpha", A_SHORT_2)]
    assert areas[2].self_shortcoming_texts == [("Huyện Gamma", GAMMA_SHORT)]
    assert areas[0].self_shortcoming_texts == [("Sở Delta", DELTA_SHORT)]


# --- Self-inspection -------------------------------------------------------------------------


def test_self_inspection_results_reports_findings_and_coverage(data):
    si = data["self_inspection"]
    rows = {r.unit.short_name: r for r in si["rows"]}
    assert list(rows) == ["Sở Nội vụ", "Sở Delta", "Huyện Gamma"]
    assert {n: r.report.status for n, r in rows.items()} == {
        "Sở Nội vụ": "missing",
        "Sở Delta": "on_time",
        "Huyện Gamma": "late",
    }
    assert si["reports"] == {"on_time": 1, "late": 1, "missing": 1, "pending": 0}
    assert [(r.plan_sent, r.strengths, r.shortcomings, r.findings) for r in rows.values()] == [
        (False, 0, 0, 0),
        (True, 0, 1, 1),
        (False, 1, 1, 2),
    ]
    # only self-inspecting districts: Alpha, inspected directly, is not measured
    assert [(c.district.short_name, c.inspected, c.total, c.percent) for c in si["coverages"]] == [
        ("Huyện Gamma", 1, 5, 20)
    ]
    assert [c.district.short_name for c in si["below_minimum"]] == ["Huyện Gamma"]
    assert rows["Huyện Gamma"].coverage.below_minimum and rows["Sở Delta"].coverage is None
    assert si["min_ratio"] == 40


# --- Remediation -----------------------------------------------------------------------------


def test_remediation_counts_per_unit_and_overdue(data):
    rem = data["remediation"]
    rows = {r.unit_short_name: r for r in rem["rows"]}
    assert list(rows) == ["Sở Beta", "Huyện Alpha"]
    assert rows["Huyện Alpha"].counts == {"open": 1, "reported": 0, "returned": 0, "verified": 1}
    assert (rows["Huyện Alpha"].total, rows["Huyện Alpha"].open, rows["Huyện Alpha"].overdue) == (2, 1, 1)
    assert (rows["Sở Beta"].total, rows["Sở Beta"].verified, rows["Sở Beta"].overdue) == (1, 0, 1)
    assert rem["by_status"] == [
        ("open", "Chưa báo cáo", 2),
        ("reported", "Đã báo cáo", 0),
        ("returned", "Yêu cầu bổ sung", 0),
        ("verified", "Đã hoàn thành", 1),
    ]
    assert (rem["total"], rem["open"], rem["verified"], rem["overdue"]) == (3, 2, 1, 2)


def test_nothing_is_overdue_before_the_deadline(known):
    with freeze_time("2022-09-25 09:00:00+07:00"):
        data = summary_data(known["plan"])
    assert data["remediation"]["overdue"] == 0
    # Gamma's and Nội vụ's results are not due until 30/10
    assert data["self_inspection"]["reports"] == {"on_time": 1, "late": 1, "missing": 0, "pending": 1}


# --- Recommendations and annex ---------------------------------------------------------------


def test_recommendations_are_the_summary_note_or_empty(known, data):
    assert data["recommendations"] == RECOMMENDATIONS
    SummaryNote.objects.all().delete()
    assert summary_data(known["plan"])["recommendations"] == ""


def test_annex_has_one_line_per_unit_with_everything(data):
    annex = {r.unit.short_name: r for r in data["annex"]}
    assert list(annex) == ["Sở Beta", "Sở Nội vụ", "Sở Epsilon", "Sở Zeta", "Sở Delta", "Huyện Alpha", "Huyện Gamma"]
    alpha = annex["Huyện Alpha"]
    assert (alpha.direct, alpha.form_label, alpha.visit_date, alpha.visit_status_label) == (
        True,
        "Kiểm tra trực tiếp",
        D(2022, 8, 9),
        "Đã kiểm tra",
    )
    assert (alpha.report.status, alpha.copies_received, alpha.copies_required, alpha.self_report) == (
        "on_time",
        8,
        8,
        None,
    )
    assert (alpha.shortcomings, alpha.actions_total, alpha.actions_open, alpha.actions_verified) == (2, 2, 1, 1)
    assert alpha.actions_overdue == 1
    zeta = annex["Sở Zeta"]
    assert (zeta.copies_received, zeta.copies_required, zeta.report.status) == (None, None, "pending")
    gamma = annex["Huyện Gamma"]
    assert (gamma.direct, gamma.form_label, gamma.visit_date, gamma.report) == (False, "Tự kiểm tra", None, None)
    assert (gamma.self_report.status, gamma.coverage.percent, gamma.shortcomings, gamma.actions_total) == (
        "late",
        20,
        1,
        0,
    )


# --- A fixed number of queries ---------------------------------------------------------------


def grow(plan, n, user):
    """Add `n` of every kind of row summary_data reads: self-inspecting departments and districts with
    their files, findings and inspected communes; directly inspected districts with a visit, a report,
    paper copies, a finding, a conclusion and an action."""
    area = plan.areas.get(number=3)
    for _i in range(n):
        department = UnitFactory(kind=Unit.Kind.DEPARTMENT)
        district = UnitFactory(kind=Unit.Kind.DISTRICT)
        commune = UnitFactory(kind=Unit.Kind.COMMUNE, parent=district)
        UnitFactory(kind=Unit.Kind.COMMUNE, parent=district)
        self_inspection = SelfInspection.objects.create(plan=plan, unit=district)
        SelfInspectedUnit.objects.create(
            self_inspection=self_inspection, unit=commune, inspected_on=D(2022, 9, 1), recorded_by=user
        )
        direct = UnitFactory(kind=Unit.Kind.DISTRICT)
        plan.directly_inspected_units.add(direct)
        visit = InspectionFactory(plan=plan, unit=direct)
        PaperCopyReceipt.objects.create(inspection=visit, count=8, received_on=D(2022, 8, 1), recorded_by=user)
        for unit, kind, inspection in [
            (department, Submission.Kind.SELF_INSPECTION_REPORT, None),
            (department, Submission.Kind.SELF_INSPECTION_PLAN, None),
            (district, Submission.Kind.SELF_INSPECTION_REPORT, None),
            (direct, Submission.Kind.REPORT, visit),
        ]:
            Submission.objects.create(
                plan=plan,
                unit=unit,
                inspection=inspection,
                kind=kind,
                file="submissions/x.pdf",
                due_date=D(2022, 8, 2),
                original_name="x.pdf",
                extension="pdf",
                size=1,
                sha256="0" * 64,
                uploaded_by=user,
            )
        for unit, inspection in [(department, None), (district, None), (direct, visit)]:
            finding = Finding.objects.create(
                plan=plan, unit=unit, inspection=inspection, area=area, kind="shortcoming", text="x", created_by=user
            )
        conclusion = Conclusion.objects.create(inspection=visit, updated_by=user)
        RemediationAction.objects.create(
            conclusion=conclusion, unit=direct, finding=finding, text="x", deadline=D(2022, 9, 30)
        )


def count_queries(plan) -> int:
    with CaptureQueriesContext(connection) as context:
        summary_data(plan)
    return len(context.captured_queries)


def test_summary_data_makes_as_many_queries_for_20_units_of_each_kind_as_for_3(known):
    plan = known["plan"]
    user = UserFactory()
    grow(plan, 3, user)
    few = count_queries(plan)
    grow(plan, 17, user)
    many = count_queries(plan)
    assert many == few <= 9
    data = summary_data(plan)
    assert len(data["annex"]) == 7 + 3 * 20
    assert data["remediation"]["total"] == 3 + 20
