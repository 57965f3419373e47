"""The rules of the visit workflow: freezing, revisions, remediation statuses, reminders."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from freezegun import freeze_time

from inspections import services
from inspections.models import (
    ChecklistAnswer,
    Conclusion,
    ConclusionRevision,
    Finding,
    InspectionPlan,
    RemediationAction,
    ReminderSent,
)
from tests.factories import UnitFactory, user_with_role
from tests.inspections.factories import D
from units.models import Unit
from units.roles import Role


@pytest.fixture
def lead_user(lead):
    user = user_with_role(Role.INSPECTOR, username="truongdoan")
    lead.user = user
    lead.save()
    return user


@pytest.fixture
def shortcoming(visit_a, inspector):
    area = visit_a.plan.areas.get(number=3)
    return services.finding_record(
        inspection=visit_a, area=area, criterion=None, kind="shortcoming", text="Chưa niêm yết TTHC.", user=inspector
    )


@pytest.fixture
def strength(visit_a, inspector):
    area = visit_a.plan.areas.get(number=1)
    return services.finding_record(
        inspection=visit_a,
        area=area,
        criterion=None,
        kind="strength",
        text="Ban hành kế hoạch kịp thời.",
        user=inspector,
    )


def test_the_draft_is_prefilled_from_the_findings(visit_a, lead_user, shortcoming, strength):
    conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
    summaries = {s.area.number: s for s in conclusion.areas.select_related("area")}
    assert len(summaries) == 7
    assert summaries[3].shortcomings == "- Chưa niêm yết TTHC."
    assert summaries[1].strengths == "- Ban hành kế hoạch kịp thời."


def test_only_the_lead_drafts_and_issues(visit_a, lead_user, coordinator, inspector):
    for other in (coordinator, inspector):
        with pytest.raises(PermissionDenied):
            services.conclusion_start(inspection=visit_a, user=other)
    conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
    with pytest.raises(PermissionDenied):
        services.conclusion_issue(conclusion=conclusion, user=coordinator)


def test_actions_default_to_the_plans_remediation_deadline(visit_a, lead_user, shortcoming, strength):
    conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
    action = services.action_add(conclusion=conclusion, finding=shortcoming, text="", user=lead_user)
    assert (action.deadline, action.text, action.unit) == (D(2022, 9, 30), "Chưa niêm yết TTHC.", visit_a.unit)
    with pytest.raises(ValidationError):
        services.action_add(conclusion=conclusion, finding=strength, text="", user=lead_user)


def issue(visit, lead_user, text="Đơn vị thực hiện tốt."):
    conclusion = services.conclusion_start(inspection=visit, user=lead_user)
    services.conclusion_save(conclusion=conclusion, general_assessment=text, areas={}, user=lead_user)
    return conclusion, services.conclusion_issue(conclusion=conclusion, user=lead_user)


def test_issuing_freezes_the_conclusion_and_the_findings(visit_a, lead_user, inspector, shortcoming):
    conclusion, revision = issue(visit_a, lead_user)
    visit_a.refresh_from_db()
    assert visit_a.status == "done"
    assert revision.number == 1 and revision.snapshot["general_assessment"] == "Đơn vị thực hiện tốt."
    area = visit_a.plan.areas.get(number=2)
    with pytest.raises(ValidationError, match="Kết luận đã ban hành"):
        services.finding_record(
            inspection=visit_a, area=area, criterion=None, kind="strength", text="Muộn.", user=inspector
        )
    with pytest.raises(ValidationError, match="Kết luận đã ban hành"):
        services.finding_update(finding=shortcoming, area=area, criterion=None, kind="strength", text="Đổi.")
    with pytest.raises(ValidationError, match="Kết luận đã ban hành"):
        services.finding_delete(finding=shortcoming)
    with pytest.raises(ValidationError):
        services.conclusion_save(conclusion=conclusion, general_assessment="Khác", areas={}, user=lead_user)
    conclusion.refresh_from_db()
    assert conclusion.general_assessment == "Đơn vị thực hiện tốt."
    assert Finding.objects.get().text == "Chưa niêm yết TTHC."


def test_issuing_needs_a_general_assessment(visit_a, lead_user):
    conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
    with pytest.raises(ValidationError):
        services.conclusion_issue(conclusion=conclusion, user=lead_user)
    assert not ConclusionRevision.objects.exists()


def test_reopen_needs_a_reason_and_a_second_issue_keeps_the_first_text(visit_a, lead_user):
    conclusion, first = issue(visit_a, lead_user, "Lần đầu.")
    with pytest.raises(ValidationError):
        services.conclusion_reopen(conclusion=conclusion, reason="  ", user=lead_user)
    services.conclusion_reopen(conclusion=conclusion, reason="Bổ sung số liệu", user=lead_user)
    first.refresh_from_db()
    assert (first.reopen_reason, first.reopened_by) == ("Bổ sung số liệu", lead_user)
    services.conclusion_save(conclusion=conclusion, general_assessment="Lần hai.", areas={}, user=lead_user)
    second = services.conclusion_issue(conclusion=conclusion, user=lead_user)
    first.refresh_from_db()
    assert (second.number, second.snapshot["general_assessment"]) == (2, "Lần hai.")
    assert first.snapshot["general_assessment"] == "Lần đầu."


def test_remediation_goes_open_reported_returned_reported_verified(
    visit_a, lead_user, shortcoming, user_a, coordinator
):
    conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
    action = services.action_add(conclusion=conclusion, finding=shortcoming, text="", user=lead_user)
    with pytest.raises(ValidationError, match="chưa ban hành"):
        services.remediation_report(action=action, text="Đã sửa", user=user_a)
    services.conclusion_save(conclusion=conclusion, general_assessment="Tốt.", areas={}, user=lead_user)
    services.conclusion_issue(conclusion=conclusion, user=lead_user)
    with pytest.raises(ValidationError, match="Chỉ thẩm định"):
        services.remediation_review(action=action, decision="verified", comment="", user=coordinator)
    services.remediation_report(action=action, text="Đã niêm yết đủ.", user=user_a)
    assert action.status == "reported"
    with pytest.raises(ValidationError):
        services.remediation_review(action=action, decision="returned", comment=" ", user=coordinator)
    services.remediation_review(action=action, decision="returned", comment="Thiếu ảnh chụp.", user=coordinator)
    assert action.status == "returned"
    services.remediation_report(action=action, text="Bổ sung ảnh.", user=user_a)
    services.remediation_review(action=action, decision="verified", comment="", user=coordinator)
    action.refresh_from_db()
    assert action.status == "verified"
    assert [r.decision for r in action.reviews.all()] == ["returned", "verified"]
    with pytest.raises(ValidationError, match="đã được xác nhận"):
        services.remediation_report(action=action, text="Lại", user=user_a)


def test_overdue_is_derived_from_the_deadline(visit_a, lead_user, shortcoming):
    conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
    action = services.action_add(conclusion=conclusion, finding=shortcoming, text="", user=lead_user)
    with freeze_time("2022-09-30 23:00:00+07:00"):
        assert not action.is_overdue
    with freeze_time("2022-10-01 08:00:00+07:00"):
        assert action.is_overdue
        counts = services.remediation_counts(RemediationAction.objects.all())
        assert counts["overdue"] == 1 and counts["total"] == 1


def test_remediation_reminders_go_once_per_unit_and_deadline(
    visit_a, lead_user, shortcoming, strength, user_a, mailoutbox
):
    user_a.email = "alpha@example.vn"
    user_a.save()
    plan = visit_a.plan
    plan.status = InspectionPlan.Status.ACTIVE
    plan.save()
    conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
    services.action_add(conclusion=conclusion, finding=shortcoming, text="", user=lead_user)
    services.action_add(conclusion=conclusion, text="Yêu cầu thứ hai", user=lead_user)
    services.conclusion_save(conclusion=conclusion, general_assessment="Tốt.", areas={}, user=lead_user)
    services.conclusion_issue(conclusion=conclusion, user=lead_user)
    for day in ["2022-09-28", "2022-09-29", "2022-09-30", "2022-10-02", "2022-10-03"]:
        call_command("send_reminders", "--today", day, stdout=io.StringIO())
    remediation = ReminderSent.objects.filter(subject="remediation", unit=visit_a.unit)
    assert sorted(remediation.values_list("kind", flat=True)) == ["before", "due_day", "overdue"]
    mails = [m for m in mailoutbox if "khắc phục" in m.subject]
    assert len(mails) == 3


def test_checklist_no_becomes_a_shortcoming_once(visit_a, inspector):
    item = visit_a.plan.checklist_items.first()
    commune = UnitFactory(kind=Unit.Kind.COMMUNE, parent=visit_a.unit, short_name="Xã Nhân Thịnh")
    answer = services.checklist_answer(
        inspection=visit_a, desk_unit=commune, item=item, answer="no", note="Chưa có sổ.", user=inspector
    )
    finding = services.checklist_answer_to_shortcoming(answer=answer, user=inspector)
    assert (finding.area.number, finding.kind) == (3, "shortcoming")
    assert "Xã Nhân Thịnh" in finding.text and item.text in finding.text and "Chưa có sổ." in finding.text
    with pytest.raises(ValidationError):
        services.checklist_answer_to_shortcoming(answer=answer, user=inspector)
    other_district = UnitFactory(kind=Unit.Kind.DISTRICT)
    with pytest.raises(ValidationError):
        services.checklist_answer(
            inspection=visit_a, desk_unit=other_district, item=item, answer="yes", note="", user=inspector
        )
    assert ChecklistAnswer.objects.count() == 1


def test_the_audit_trail_records_changes_with_before_and_after(visit_a, inspector, shortcoming):
    area = visit_a.plan.areas.get(number=3)
    services.finding_update(finding=shortcoming, area=area, criterion=None, kind="shortcoming", text="Đã sửa chữ.")
    records = list(shortcoming.history.order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~"]
    delta = records[1].diff_against(records[0])
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("text", "Chưa niêm yết TTHC.", "Đã sửa chữ.")]
    assert records[0].history_date.tzinfo is not None
    assert Conclusion.history.count() == 0


def test_a_closed_plan_refuses_new_findings(visit_a, inspector):
    plan = visit_a.plan
    plan.status = InspectionPlan.Status.CLOSED
    plan.save()
    with pytest.raises(ValidationError, match="Kế hoạch đã kết thúc"):
        services.finding_record(
            inspection=visit_a,
            area=plan.areas.first(),
            criterion=None,
            kind="strength",
            text="X",
            user=inspector,
        )
