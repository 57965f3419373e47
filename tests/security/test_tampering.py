"""Tampered form posts: fields a form does not have (`unit`, `plan`, `inspection`, `status`,
`created_by`, `issued_at`...) change nothing the server decides; a forged `version` is refused as
stale; and a unit user or inspector posting a valid body to another unit's object gets 404 with
nothing changed. The world is the access matrix's (tests/security/conftest.py)."""

import pytest
from django.urls import reverse

from inspections import services
from inspections.models import (
    AppendixValue,
    Conclusion,
    ConclusionRevision,
    EvidenceFile,
    Finding,
    RemediationAction,
    RemediationReport,
    SelfInspectedUnit,
    Submission,
)
from tests.factories import TEST_PASSWORD
from tests.security.conftest import pdf_upload

pytestmark = pytest.mark.django_db


def forged(w, *, other=None, **extra) -> dict:
    """Fields no form of the app has, pointing at the other side's objects and at the server's own."""
    other = other or w.b
    return {
        "unit": other.unit.pk,
        "unit_id": other.unit.pk,
        "plan": w.plan_y.pk,
        "plan_id": w.plan_y.pk,
        "inspection": other.visit.pk,
        "inspection_id": other.visit.pk,
        "status": "verified",
        "created_by": w.coord.pk,
        "uploaded_by": w.coord.pk,
        "submitted_by": w.coord.pk,
        "updated_by": w.coord.pk,
        "issued_at": "2020-01-01T00:00:00Z",
        "issued_by": w.coord.pk,
        "due_date": "2099-12-31",
        "uploaded_at": "2020-01-01T00:00:00Z",
        **extra,
    }


def state() -> dict:
    """Every row a tampered or misdirected post could touch, with the fields that matter."""
    return {
        "submissions": sorted(
            Submission.objects.values_list("pk", "plan_id", "unit_id", "inspection_id", "kind", "uploaded_by_id")
        ),
        "findings": sorted(
            Finding.objects.values_list(
                "pk", "plan_id", "unit_id", "inspection_id", "area_id", "kind", "text", "created_by_id", "version"
            )
        ),
        "evidence": EvidenceFile.objects.count(),
        "actions": sorted(RemediationAction.objects.values_list("pk", "unit_id", "conclusion_id", "status", "version")),
        "reports": sorted(RemediationReport.objects.values_list("pk", "action_id", "text", "submitted_by_id")),
        "conclusions": sorted(Conclusion.objects.values_list("pk", "inspection_id", "status", "version")),
        "revisions": ConclusionRevision.objects.count(),
        "figures": sorted(AppendixValue.objects.values_list("plan_id", "unit_id", "figure_id", "value")),
        "self_inspected": sorted(SelfInspectedUnit.objects.values_list("self_inspection_id", "unit_id")),
    }


def login(client, user):
    client.force_login(user)
    return client


def reopen(w, side):
    """The lead reopens a side's conclusion, so the team may record findings again."""
    services.conclusion_reopen(conclusion=side.conclusion, reason="Bổ sung", user=w.lead_x)
    side.conclusion.refresh_from_db()


# --- Forged fields change nothing the server decides --------------------------------------------


def test_report_upload_keeps_the_visits_plan_unit_and_deadline(client, world):
    w = world
    login(client, w.a.user)
    response = client.post(
        reverse("inspections:inspection_reports", args=[w.a.visit.pk]),
        {"kind": "report", "files": [pdf_upload("Báo cáo bổ sung.pdf")], **forged(w)},
    )
    assert response.status_code == 302
    new = Submission.objects.exclude(pk__in=[w.a.report.pk, w.b.report.pk, w.a.self_report.pk, w.b.self_report.pk])
    submission = new.get()
    assert (submission.plan, submission.unit, submission.inspection) == (w.plan, w.a.unit, w.a.visit)
    assert submission.uploaded_by == w.a.user
    assert submission.due_date == w.a.visit.report_due_date


def test_report_upload_refuses_a_kind_the_page_does_not_offer(client, world):
    w = world
    before = state()
    login(client, w.a.user)
    response = client.post(
        reverse("inspections:inspection_reports", args=[w.a.visit.pk]),
        {"kind": Submission.Kind.SELF_INSPECTION_REPORT, "files": [pdf_upload("Tự kiểm tra.pdf")]},
    )
    assert response.status_code == 200  # the form again, with its error
    assert state() == before


def send_back(side):
    """The coordinator returned the unit's request for more: the unit may report again."""
    RemediationAction.objects.filter(pk=side.action.pk).update(status=RemediationAction.Status.RETURNED)
    side.action.refresh_from_db()


def test_remediation_report_status_is_the_servers(client, world):
    w = world
    send_back(w.a)
    login(client, w.a.user)
    response = client.post(
        reverse("inspections:remediation_report", args=[w.a.action.pk]),
        {
            "text": "Đã bổ sung ảnh niêm yết.",
            "version": w.a.action.version,
            "files": [pdf_upload("Ảnh bổ sung.pdf")],
            **forged(w, action=w.b.action.pk, conclusion=w.b.conclusion.pk, finding=w.b.finding.pk),
        },
    )
    assert response.status_code == 302
    report = RemediationReport.objects.latest("pk")
    assert (report.action, report.submitted_by) == (w.a.action, w.a.user)
    action = RemediationAction.objects.get(pk=w.a.action.pk)
    assert (action.status, action.unit, action.conclusion) == (
        RemediationAction.Status.REPORTED,
        w.a.unit,
        w.a.conclusion,
    )
    assert action.version == w.a.action.version + 1
    b_action = RemediationAction.objects.get(pk=w.b.action.pk)
    assert (b_action.status, b_action.version) == (w.b.action.status, w.b.action.version)
    assert report.evidence.get().uploaded_by == w.a.user


def test_remediation_report_with_a_forged_version_is_refused_as_stale(client, world):
    w = world
    before = state()
    login(client, w.a.user)
    response = client.post(
        reverse("inspections:remediation_report", args=[w.a.action.pk]),
        {"text": "Đã bổ sung.", "version": w.a.action.version + 5, "status": "verified"},
    )
    assert response.status_code == 400
    assert state() == before


def test_recorded_finding_belongs_to_the_visit_and_its_recorder(client, world):
    w = world
    reopen(w, w.a)
    login(client, w.member_x)
    response = client.post(
        reverse("inspections:visit_finding_add", args=[w.a.visit.pk]),
        {
            "area": w.area.pk,
            "kind": Finding.Kind.STRENGTH,
            "text": "Niêm yết đầy đủ thủ tục.",
            "version": 99,
            "checklist_answer": w.b.answer.pk,
            **forged(w),
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.latest("pk")
    assert (finding.plan, finding.unit, finding.inspection) == (w.plan, w.a.unit, w.a.visit)
    assert (finding.created_by, finding.version, finding.checklist_answer) == (w.member_x, 1, None)


def test_recorded_finding_refuses_another_plans_area(client, world):
    w = world
    reopen(w, w.a)
    before = state()
    login(client, w.member_x)
    other_area = w.plan_y.areas.get(number=3)
    response = client.post(
        reverse("inspections:visit_finding_add", args=[w.a.visit.pk]),
        {"area": other_area.pk, "kind": Finding.Kind.SHORTCOMING, "text": "Sai nội dung."},
    )
    assert response.status_code == 400
    assert state() == before


def test_edited_finding_stays_on_its_visit(client, world):
    w = world
    reopen(w, w.a)
    login(client, w.lead_x)
    finding = Finding.objects.get(pk=w.a.finding.pk)
    response = client.post(
        reverse("inspections:visit_finding_edit", args=[finding.pk]),
        {
            "area": w.area.pk,
            "kind": Finding.Kind.SHORTCOMING,
            "text": "Chưa niêm yết đủ thủ tục (sửa).",
            "version": finding.version,
            **forged(w),
        },
    )
    assert response.status_code == 302
    edited = Finding.objects.get(pk=finding.pk)
    assert edited.text == "Chưa niêm yết đủ thủ tục (sửa)."
    assert (edited.plan, edited.unit, edited.inspection, edited.created_by) == (
        w.plan,
        w.a.unit,
        w.a.visit,
        finding.created_by,
    )
    assert edited.version == finding.version + 1


def test_edited_finding_with_a_forged_version_is_refused(client, world):
    w = world
    reopen(w, w.a)
    before = state()
    login(client, w.lead_x)
    response = client.post(
        reverse("inspections:visit_finding_edit", args=[w.a.finding.pk]),
        {"area": w.area.pk, "kind": Finding.Kind.STRENGTH, "text": "Ghi đè.", "version": w.a.finding.version + 3},
    )
    assert response.status_code == 400
    assert state() == before


def test_conclusion_save_cannot_issue_or_move_the_conclusion(client, world):
    w = world
    reopen(w, w.a)
    conclusion = Conclusion.objects.get(pk=w.a.conclusion.pk)
    login(client, w.lead_x)
    response = client.post(
        reverse("inspections:conclusion_save", args=[w.a.visit.pk]),
        {
            "general_assessment": "Đánh giá chung (sửa).",
            "version": conclusion.version,
            "number": 7,
            "snapshot": "{}",
            **forged(w, status=Conclusion.Status.ISSUED),
        },
    )
    assert response.status_code == 302
    saved = Conclusion.objects.get(pk=conclusion.pk)
    assert (saved.status, saved.inspection, saved.general_assessment) == (
        Conclusion.Status.DRAFT,
        w.a.visit,
        "Đánh giá chung (sửa).",
    )
    assert ConclusionRevision.objects.filter(conclusion=saved).count() == 1


def test_self_inspection_forms_keep_the_unit_and_plan_of_the_url(client, world):
    w = world
    login(client, w.a.user)
    base = {"pk": w.plan.pk, "unit_pk": w.a.unit.pk}
    response = client.post(
        reverse("inspections:self_inspection_finding_add", kwargs=base),
        {"area": w.area.pk, "kind": Finding.Kind.STRENGTH, "text": "Ban hành kế hoạch đúng hạn.", **forged(w)},
    )
    assert response.status_code == 302
    finding = Finding.objects.latest("pk")
    assert (finding.plan, finding.unit, finding.inspection, finding.created_by) == (w.plan, w.a.unit, None, w.a.user)

    response = client.post(
        reverse("inspections:self_inspection_unit_add", kwargs=base),
        {
            **forged(w),  # its "unit" is the form's own field: the one below wins
            "unit": w.a.division.pk,
            "inspected_on": "15/06/2022",
            "self_inspection": w.b.self_inspection.pk,
        },
    )
    assert response.status_code == 302
    assert SelfInspectedUnit.objects.filter(self_inspection=w.a.self_inspection, unit=w.a.division).exists()
    assert not SelfInspectedUnit.objects.filter(self_inspection=w.b.self_inspection, unit=w.a.division).exists()

    response = client.post(
        reverse("inspections:self_inspection_upload", kwargs=base),
        {"kind": Submission.Kind.SELF_INSPECTION_PLAN, "files": [pdf_upload("Kế hoạch tự kiểm tra.pdf")], **forged(w)},
    )
    assert response.status_code == 302
    submission = Submission.objects.get(kind=Submission.Kind.SELF_INSPECTION_PLAN)
    assert (submission.plan, submission.unit, submission.inspection, submission.uploaded_by) == (
        w.plan,
        w.a.unit,
        None,
        w.a.user,
    )


def test_self_inspection_refuses_another_units_division(client, world):
    w = world
    before = state()
    login(client, w.a.user)
    response = client.post(
        reverse("inspections:self_inspection_unit_add", kwargs={"pk": w.plan.pk, "unit_pk": w.a.unit.pk}),
        {"unit": w.b.division.pk, "inspected_on": "15/06/2022"},
    )
    assert response.status_code == 400
    assert state() == before


def test_appendix_values_are_saved_for_the_visits_unit_and_plan_only(client, world):
    w = world
    login(client, w.a.user)
    values = {figure.code: "0" for figure in w.plan.figures.all()} | {"tthc_total": "215"}
    b_before = sorted(AppendixValue.objects.filter(unit=w.b.unit).values_list("figure_id", "value", "updated_by_id"))
    response = client.post(
        reverse("inspections:inspection_appendix", args=[w.a.visit.pk]),
        {"save_values": "1", **values, **forged(w, figure=w.figure.pk)},
    )
    assert response.status_code == 302
    saved = AppendixValue.objects.get(unit=w.a.unit, figure__code="tthc_total")
    assert (saved.plan, saved.value, saved.updated_by) == (w.plan, 215, w.a.user)
    assert not AppendixValue.objects.filter(plan=w.plan_y).exists()
    after = sorted(AppendixValue.objects.filter(unit=w.b.unit).values_list("figure_id", "value", "updated_by_id"))
    assert after == b_before


def test_password_change_does_not_move_the_user(client, world):
    w = world
    user = w.a.user
    login(client, user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "mot-mat-khau-moi-2022",
            "new_password2": "mot-mat-khau-moi-2022",
            "unit": w.b.unit.pk,
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [1, 2, 3, 4],
            "username": "coord2",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("mot-mat-khau-moi-2022")
    assert (user.unit, user.is_staff, user.is_superuser, user.username) == (w.a.unit, False, False, "user_a")
    assert list(user.groups.values_list("name", flat=True)) == ["unit_staff"]


def test_calendar_address_renewal_touches_only_the_users_own(client, world):
    w = world
    old_b = w.b.token.token
    login(client, w.a.user)
    response = client.post(reverse("inspections:my_calendar"), {"user": w.b.user.pk, "token": old_b})
    assert response.status_code == 302
    w.b.user.calendar_token.refresh_from_db()
    assert w.b.user.calendar_token.token == old_b
    w.a.user.refresh_from_db()
    assert w.a.user.calendar_token.token not in (old_b, w.a.token.token)


# --- Another unit's objects: 404, nothing changed -----------------------------------------------


def _valid_posts(w, side):
    """A valid body for each write unit staff make, aimed at `side`'s objects."""
    si = {"pk": w.plan.pk, "unit_pk": side.unit.pk}
    return [
        (
            reverse("inspections:inspection_reports", args=[side.visit.pk]),
            lambda: {"kind": "report", "files": [pdf_upload("Báo cáo.pdf")]},
        ),
        (
            reverse("inspections:inspection_appendix", args=[side.visit.pk]),
            lambda: {"save_values": "1", **{f.code: "0" for f in w.plan.figures.all()}},
        ),
        (
            reverse("inspections:remediation_report", args=[side.action.pk]),
            lambda: {"text": "Đã khắc phục.", "version": side.action.version, "files": [pdf_upload("Ảnh.pdf")]},
        ),
        (
            reverse("inspections:self_inspection_upload", kwargs=si),
            lambda: {"kind": Submission.Kind.SELF_INSPECTION_REPORT, "files": [pdf_upload("Tự kiểm tra.pdf")]},
        ),
        (
            reverse("inspections:self_inspection_unit_add", kwargs=si),
            lambda: {"unit": side.division.pk, "inspected_on": "15/06/2022"},
        ),
        (
            reverse("inspections:self_inspection_finding_add", kwargs=si),
            lambda: {"area": w.area.pk, "kind": Finding.Kind.STRENGTH, "text": "Tốt."},
        ),
    ]


@pytest.mark.parametrize(("actor", "target"), [("a", "b"), ("b", "a")])
def test_unit_user_posting_to_the_other_units_objects_gets_404(client, world, actor, target):
    w = world
    login(client, getattr(w, actor).user)
    before = state()
    for url, body in _valid_posts(w, getattr(w, target)):
        response = client.post(url, body())
        assert response.status_code == 404, url
    assert state() == before


def test_the_same_posts_work_for_the_units_own_staff(client, world):
    """The bodies above are valid: the 404s are the access rules, not a bad form."""
    w = world
    send_back(w.a)
    login(client, w.a.user)
    for url, body in _valid_posts(w, w.a):
        response = client.post(url, body())
        assert response.status_code == 302, (url, response.status_code)


def test_inspectors_outside_a_visit_cannot_write_its_findings(client, world):
    w = world
    reopen(w, w.a)
    before = state()
    body = {"area": w.area.pk, "kind": Finding.Kind.SHORTCOMING, "text": "Ghi nhận lạ."}
    login(client, w.member_y)
    assert client.post(reverse("inspections:visit_finding_add", args=[w.a.visit.pk]), body).status_code == 404
    edit = reverse("inspections:visit_finding_edit", args=[w.a.finding.pk])
    assert client.post(edit, {**body, "version": w.a.finding.version}).status_code == 404
    assert client.post(reverse("inspections:visit_finding_delete", args=[w.a.finding.pk])).status_code == 404
    login(client, w.member_x)
    assert client.post(reverse("inspections:visit_finding_add", args=[w.visit_y.pk]), body).status_code == 404
    login(client, w.a.user)  # the unit reads its visit but never writes findings
    assert client.post(reverse("inspections:visit_finding_add", args=[w.a.visit.pk]), body).status_code == 403
    assert state() == before
