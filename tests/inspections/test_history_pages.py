"""The audit trail: who created, changed or deleted what and when (shown in local time), with the values
before and after; coordinators read it, nobody changes it through the app."""

import pytest
from django.urls import reverse
from freezegun import freeze_time

from inspections.models import Finding, RemediationAction
from tests.factories import user_with_role
from tests.inspections.factories import page
from units.roles import Role

pytestmark = pytest.mark.usefixtures("fast_passwords", "media_root")

FIRST = "Chưa công khai đầy đủ thủ tục hành chính."
SECOND = "Chưa công khai 12 thủ tục hành chính tại Bộ phận Một cửa."


def history(model, pk):
    return reverse("inspections:history", args=[model, pk])


def entries(response) -> list[dict]:
    """(type, who, when, {label: (old, new)}) per history row, newest first."""
    return [
        {
            "type": str(entry["type"]),
            "who": str(entry["record"].history_user or ""),
            "changes": {str(c["label"]): (c["old"], c["new"]) for c in entry["changes"]},
            "part": entry["part"],
        }
        for entry in response.context["entries"]
    ]


@pytest.fixture
def lead_user(lead):
    lead.user = user_with_role(Role.INSPECTOR, username="lead", first_name="Hạnh", last_name="Nguyễn Thị Hồng")
    lead.save()
    return lead.user


@pytest.fixture
def finding(client, visit_a, inspector):
    """Recorded on 09/08/2022 at 09:30 in Hà Nam (02:30 UTC), then edited at 10:15, through the pages."""
    areas = {a.number: a for a in visit_a.plan.areas.all()}
    client.force_login(inspector)
    with freeze_time("2022-08-09 02:30:00+00:00"):
        response = client.post(
            reverse("inspections:visit_finding_add", args=[visit_a.pk]),
            {"area": areas[3].pk, "kind": "shortcoming", "text": FIRST},
        )
        assert response.status_code == 302
    finding = Finding.objects.get()
    with freeze_time("2022-08-09 03:15:00+00:00"):
        response = client.post(
            reverse("inspections:visit_finding_edit", args=[finding.pk]),
            {"area": areas[3].pk, "kind": "shortcoming", "text": SECOND},
        )
        assert response.status_code == 302
    return finding


def test_a_findings_creation_and_change_show_who_when_and_the_values(client, finding, coordinator, inspector):
    client.force_login(coordinator)
    response = client.get(history("finding", finding.pk))
    assert response.status_code == 200
    changed, created = entries(response)
    assert (changed["type"], changed["who"]) == ("Sửa", "Vũ Đức Minh")
    assert changed["changes"] == {"Nội dung": (FIRST, SECOND)}
    assert (created["type"], created["who"]) == ("Tạo mới", "Vũ Đức Minh")
    assert created["changes"]["Nội dung"] == ("", FIRST)
    assert created["changes"]["Loại"] == ("", "Tồn tại, hạn chế")  # choices by their label
    assert created["changes"]["Nội dung kiểm tra"][1].startswith("3. ")  # a foreign key by its name
    body = page(response)
    assert "09/08/2022 10:15" in body and "09/08/2022 09:30" in body  # stored in UTC, shown in local time
    assert body.index("09/08/2022 10:15") < body.index("09/08/2022 09:30")  # newest first
    assert FIRST in body and SECOND in body


def test_a_deleted_finding_keeps_its_history(client, finding, coordinator, inspector):
    client.force_login(inspector)
    assert client.post(reverse("inspections:visit_finding_delete", args=[finding.pk])).status_code == 302
    assert not Finding.objects.exists()
    client.force_login(coordinator)
    response = client.get(history("finding", finding.pk))
    assert response.status_code == 200
    assert [e["type"] for e in entries(response)] == ["Xóa", "Sửa", "Tạo mới"]


def test_an_actions_creation_and_status_change_show_who_and_the_values(client, visit_a, lead_user, user_a, coordinator):
    client.force_login(lead_user)
    client.post(reverse("inspections:conclusion_start", args=[visit_a.pk]))
    with freeze_time("2022-08-10 01:00:00+00:00"):
        client.post(
            reverse("inspections:action_add", args=[visit_a.pk]),
            {"text": "Công khai đủ thủ tục hành chính.", "deadline": "15/09/2022"},
        )
    client.post(reverse("inspections:conclusion_save", args=[visit_a.pk]), {"general_assessment": "Đạt."})
    client.post(reverse("inspections:conclusion_issue", args=[visit_a.pk]))
    action = RemediationAction.objects.get()
    client.force_login(user_a)
    with freeze_time("2022-09-01 02:00:00+00:00"):
        client.post(reverse("inspections:remediation_report", args=[action.pk]), {"text": "Đã công khai."})

    client.force_login(coordinator)
    response = client.get(history("action", action.pk))
    reported, created = entries(response)
    assert (reported["type"], reported["who"]) == ("Sửa", str(user_a))
    assert reported["changes"] == {"Trạng thái": ("Chưa báo cáo", "Đã báo cáo")}
    assert (created["type"], created["who"]) == ("Tạo mới", "Nguyễn Thị Hồng Hạnh")
    assert created["changes"]["Hạn hoàn thành"] == ("", "15/09/2022")
    assert created["changes"]["Yêu cầu khắc phục"] == ("", "Công khai đủ thủ tục hành chính.")
    body = page(response)
    assert "01/09/2022 09:00" in body and "10/08/2022 08:00" in body


def test_the_conclusions_history_includes_its_area_summaries(client, visit_a, lead_user, coordinator):
    client.force_login(lead_user)
    client.post(reverse("inspections:conclusion_start", args=[visit_a.pk]))
    conclusion = visit_a.conclusion
    summary = conclusion.areas.get(area__number=2)
    client.post(
        reverse("inspections:conclusion_save", args=[visit_a.pk]),
        {"general_assessment": "Đánh giá.", f"area_{summary.pk}_causes": "Thiếu cán bộ chuyên trách."},
    )
    client.force_login(coordinator)
    response = client.get(history("conclusion", conclusion.pk))
    assert response.status_code == 200
    rows = entries(response)
    area_change = next(e for e in rows if e["part"] == "Nội dung 2" and e["type"] == "Sửa")
    assert area_change["changes"] == {"Nguyên nhân": ("", "Thiếu cán bộ chuyên trách.")}
    assert area_change["who"] == "Nguyễn Thị Hồng Hạnh"
    main_change = next(e for e in rows if not e["part"] and e["type"] == "Sửa")
    assert main_change["changes"]["Đánh giá chung"] == ("", "Đánh giá.")
    # the conclusion page links coordinators here
    assert history("conclusion", conclusion.pk) in page(
        client.get(reverse("inspections:conclusion", args=[visit_a.pk]))
    )


@pytest.mark.parametrize("model", ["plan", "inspection"])
def test_plans_and_visits_have_their_history(client, visit_a, coordinator, model):
    client.force_login(coordinator)
    pk = visit_a.plan_id if model == "plan" else visit_a.pk
    response = client.get(history(model, pk))
    assert response.status_code == 200
    assert entries(response)[-1]["type"] == "Tạo mới"


@pytest.mark.parametrize("who", ["inspector", "leader", "user_a", "lead_user"])
def test_only_coordinators_read_the_history(client, finding, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(history("finding", finding.pk)).status_code == 403


def test_an_unknown_model_or_object_is_404(client, finding, coordinator):
    client.force_login(coordinator)
    assert client.get(history("user", finding.pk)).status_code == 404
    assert client.get(history("conclusionarea", 1)).status_code == 404
    assert client.get(history("finding", finding.pk + 1000)).status_code == 404


def test_nobody_changes_the_history_through_the_app(client, finding, coordinator):
    client.force_login(coordinator)
    assert client.post(history("finding", finding.pk)).status_code == 405
    assert client.delete(history("finding", finding.pk)).status_code == 405
