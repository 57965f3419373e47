"""The team lead's conclusion: the draft prefilled from the findings, its requests, issuing, reopening,
and revisions that stay readable; who may read and who may write."""

import html

import pytest
from django.urls import reverse

from inspections import services
from inspections.models import Conclusion, ConclusionArea, ConclusionRevision, Finding, RemediationAction
from tests.factories import user_with_role
from tests.inspections.factories import D, flashed, page, schedule_visit
from units.roles import Role

STRENGTH = "Ban hành kế hoạch CCHC năm 2022 kịp thời, đúng nội dung."
SHORTCOMING = "Chưa công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa."
ASSESSMENT = "Huyện Alpha triển khai công tác CCHC năm 2022 nghiêm túc, đạt kết quả khá."

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def lead_user(lead):
    lead.user = user_with_role(Role.INSPECTOR, username="lead", first_name="Hạnh", last_name="Nguyễn Thị Hồng")
    lead.save()
    return lead.user


@pytest.fixture
def findings(visit_a, inspector):
    areas = {a.number: a for a in visit_a.plan.areas.all()}
    strength = services.finding_record(
        inspection=visit_a, area=areas[1], criterion=None, kind=Finding.Kind.STRENGTH, text=STRENGTH, user=inspector
    )
    shortcoming = services.finding_record(
        inspection=visit_a,
        area=areas[3],
        criterion=None,
        kind=Finding.Kind.SHORTCOMING,
        text=SHORTCOMING,
        user=inspector,
    )
    return strength, shortcoming


def url(name, visit, *args):
    return reverse(f"inspections:{name}", args=[visit.pk, *args])


def save_data(conclusion, assessment=ASSESSMENT, areas=None):
    """The editor's POST: the assessment, and every area's three texts (changed where given)."""
    data = {"general_assessment": assessment}
    for summary in conclusion.areas.all():
        for field in ("strengths", "shortcomings", "causes"):
            data[f"area_{summary.pk}_{field}"] = getattr(summary, field)
        data.update({f"area_{summary.pk}_{k}": v for k, v in (areas or {}).get(summary.area.number, {}).items()})
    return data


def state(conclusion) -> dict:
    """What a refused request must leave as it was."""
    conclusion.refresh_from_db()
    return {
        "conclusion": (conclusion.status, conclusion.general_assessment, conclusion.updated_at),
        "areas": sorted(ConclusionArea.objects.values_list("pk", "strengths", "shortcomings", "causes")),
        "actions": sorted(RemediationAction.objects.values_list("pk", "text", "deadline", "status")),
        "revisions": sorted(ConclusionRevision.objects.values_list("pk", "number", "reopen_reason")),
    }


@pytest.fixture
def drafted(client, lead_user, visit_a, findings):
    """The lead has started the draft, written the assessment and made a request from the shortcoming."""
    client.force_login(lead_user)
    client.post(url("conclusion_start", visit_a))
    conclusion = Conclusion.objects.get(inspection=visit_a)
    client.post(url("conclusion_save", visit_a), save_data(conclusion))
    client.post(url("action_add", visit_a), {"finding": findings[1].pk, "deadline": ""})
    conclusion.refresh_from_db()
    return conclusion


# --- Drafting ----------------------------------------------------------------------------------


def test_lead_starts_a_draft_prefilled_from_the_findings(client, lead_user, visit_a, findings):
    client.force_login(lead_user)
    assert "Bắt đầu dự thảo kết luận" in page(client.get(url("conclusion", visit_a)))
    response = client.post(url("conclusion_start", visit_a))
    assert response.status_code == 302
    conclusion = Conclusion.objects.get(inspection=visit_a)
    assert (conclusion.status, conclusion.updated_by) == (Conclusion.Status.DRAFT, lead_user)
    assert conclusion.areas.count() == 7
    assert conclusion.areas.get(area__number=1).strengths == f"- {STRENGTH}"
    assert conclusion.areas.get(area__number=3).shortcomings == f"- {SHORTCOMING}"
    body = html.unescape(page(client.get(url("conclusion", visit_a))))
    assert f"- {STRENGTH}" in body and f"- {SHORTCOMING}" in body
    assert "Điền lại từ kết quả kiểm tra" in body
    # the shortcoming is offered as a one-click request with the plan's deadline
    assert f'name="finding" value="{findings[1].pk}"' in body
    assert 'value="30/09/2022"' in body


def test_starting_twice_keeps_the_one_draft(client, lead_user, visit_a, findings):
    client.force_login(lead_user)
    client.post(url("conclusion_start", visit_a))
    client.post(url("conclusion_start", visit_a))
    assert Conclusion.objects.count() == 1
    assert ConclusionArea.objects.count() == 7


def test_lead_edits_the_draft_and_prefills_one_area_again(client, lead_user, visit_a, findings):
    client.force_login(lead_user)
    client.post(url("conclusion_start", visit_a))
    conclusion = Conclusion.objects.get()
    response = client.post(
        url("conclusion_save", visit_a),
        save_data(conclusion, areas={3: {"shortcomings": "Đã sửa tay.", "causes": "Thiếu nhân lực."}}),
    )
    assert response.status_code == 302
    assert "Đã lưu dự thảo kết luận." in flashed(response)
    conclusion.refresh_from_db()
    area3 = conclusion.areas.get(area__number=3)
    assert conclusion.general_assessment == ASSESSMENT
    assert (area3.shortcomings, area3.causes) == ("Đã sửa tay.", "Thiếu nhân lực.")

    response = client.post(url("conclusion_refill", visit_a, 3))
    assert response.status_code == 302
    area3.refresh_from_db()
    assert area3.shortcomings == f"- {SHORTCOMING}"
    assert area3.causes == "Thiếu nhân lực."  # causes are the lead's own: never prefilled
    assert conclusion.areas.get(area__number=1).strengths == f"- {STRENGTH}"


def test_a_request_from_a_shortcoming_takes_its_text_and_the_plans_deadline(client, drafted, findings, visit_a):
    action = RemediationAction.objects.get()
    assert (action.text, action.finding, action.unit) == (SHORTCOMING, findings[1], visit_a.unit)
    assert action.deadline == D(2022, 9, 30)
    body = page(client.get(url("conclusion", visit_a)))
    assert "30/09/2022" in body
    assert "Đã có yêu cầu" in body


def test_a_free_request_with_a_typed_deadline_and_its_deletion(client, drafted, visit_a):
    response = client.post(
        url("action_add", visit_a), {"text": "Rà soát, công khai lại các TTHC.", "deadline": "15/09/2022"}
    )
    assert response.status_code == 302
    action = RemediationAction.objects.get(finding__isnull=True)
    assert (action.text, action.deadline) == ("Rà soát, công khai lại các TTHC.", D(2022, 9, 15))
    response = client.post(url("action_delete", visit_a, action.pk))
    assert response.status_code == 302
    assert not RemediationAction.objects.filter(pk=action.pk).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "", "deadline": ""}, "Nhập nội dung yêu cầu khắc phục."),
        ({"text": "Sửa", "deadline": "31/13/2022"}, "Nhập một ngày hợp lệ."),
        ({"finding": "", "text": "", "deadline": "2022-02-30"}, "Nhập một ngày hợp lệ."),
    ],
)
def test_a_bad_request_is_refused_and_nothing_is_added(client, drafted, visit_a, data, message):
    before = state(drafted)
    response = client.post(url("action_add", visit_a), data)
    assert response.status_code == 400
    assert message in page(response)
    assert state(drafted) == before


def test_a_one_click_request_takes_an_edited_deadline_or_says_why_not(client, drafted, findings, visit_a):
    before = state(drafted)
    response = client.post(url("action_add", visit_a), {"finding": findings[1].pk, "deadline": "32/09/2022"})
    assert response.status_code == 400
    assert "Hạn hoàn thành: Nhập một ngày hợp lệ." in page(response)
    assert state(drafted) == before
    client.post(url("action_add", visit_a), {"finding": findings[1].pk, "deadline": "20/09/2022"})
    assert RemediationAction.objects.latest("pk").deadline == D(2022, 9, 20)


def test_a_request_from_another_visits_finding_is_refused(client, drafted, visit_b, lead_user, inspector):
    other = Finding.objects.create(
        plan=visit_b.plan,
        unit=visit_b.unit,
        inspection=visit_b,
        area=visit_b.plan.areas.get(number=2),
        kind=Finding.Kind.SHORTCOMING,
        text="Của đơn vị khác.",
        created_by=inspector,
    )
    before = state(drafted)
    response = client.post(url("action_add", drafted.inspection), {"finding": other.pk})
    assert response.status_code == 400
    assert "Chỉ tạo yêu cầu khắc phục từ tồn tại, hạn chế của buổi kiểm tra này." in page(response)
    assert state(drafted) == before


# --- Issuing, reopening, revisions -------------------------------------------------------------


def test_issuing_without_an_assessment_is_refused(client, lead_user, visit_a, findings):
    client.force_login(lead_user)
    client.post(url("conclusion_start", visit_a))
    response = client.post(url("conclusion_issue", visit_a), follow=True)
    assert "Nhập đánh giá chung trước khi ban hành." in page(response)
    assert Conclusion.objects.get().status == Conclusion.Status.DRAFT
    assert not ConclusionRevision.objects.exists()


def test_issuing_keeps_the_text_as_revision_1(client, drafted, visit_a, lead_user):
    response = client.post(url("conclusion_issue", visit_a))
    assert response.status_code == 302
    assert "Đã ban hành kết luận (lần 1)." in flashed(response)
    drafted.refresh_from_db()
    assert drafted.is_issued
    revision = ConclusionRevision.objects.get()
    assert (revision.number, revision.issued_by) == (1, lead_user)
    assert revision.snapshot["general_assessment"] == ASSESSMENT
    assert revision.snapshot["actions"] == [{"text": SHORTCOMING, "deadline": "2022-09-30"}]
    body = page(client.get(url("conclusion", visit_a)))
    assert "Đã ban hành" in body and "Mở lại kết luận để sửa" in body
    assert "Lưu dự thảo" not in body
    assert "Lần 1" in body


def test_after_issuing_every_edit_is_refused_and_nothing_changes(client, drafted, visit_a, findings):
    client.post(url("conclusion_issue", visit_a))
    before = state(drafted)
    action = RemediationAction.objects.get()
    refusals = [
        client.post(url("conclusion_save", visit_a), save_data(drafted, "Đổi sau khi ban hành")),
        client.post(url("conclusion_refill", visit_a, 3), follow=True),
        client.post(url("action_add", visit_a), {"text": "Thêm sau khi ban hành"}),
        client.post(url("action_add", visit_a), {"finding": findings[1].pk}),
        client.post(url("action_delete", visit_a, action.pk), follow=True),
        client.post(url("conclusion_issue", visit_a), follow=True),
    ]
    for response in refusals:
        body = page(response)
        assert "Kết luận đã ban hành" in body or "Yêu cầu đã ban hành" in body or "Kết luận đã được ban hành" in body
    assert state(drafted) == before


def test_reopening_needs_a_reason_and_records_it(client, drafted, visit_a, lead_user):
    client.post(url("conclusion_issue", visit_a))
    before = state(drafted)
    response = client.post(url("conclusion_reopen", visit_a), {"reason": "   "})
    assert response.status_code == 400
    assert "Nhập lý do mở lại kết luận." in page(response)
    assert state(drafted) == before

    response = client.post(url("conclusion_reopen", visit_a), {"reason": "Đơn vị cung cấp thêm số liệu."})
    assert response.status_code == 302
    drafted.refresh_from_db()
    assert drafted.status == Conclusion.Status.DRAFT
    revision = ConclusionRevision.objects.get()
    assert (revision.reopen_reason, revision.reopened_by) == ("Đơn vị cung cấp thêm số liệu.", lead_user)
    assert revision.reopened_at is not None
    body = page(client.get(url("conclusion", visit_a)))
    assert "Đơn vị cung cấp thêm số liệu." in body
    assert "Lưu dự thảo" in body  # editable again


def test_issuing_again_makes_revision_2_and_revision_1_keeps_its_text(client, drafted, visit_a, user_a):
    client.post(url("conclusion_issue", visit_a))
    client.post(url("conclusion_reopen", visit_a), {"reason": "Bổ sung đánh giá."})
    client.post(url("conclusion_save", visit_a), save_data(drafted, "Đánh giá chung đã sửa lần hai."))
    client.post(url("conclusion_issue", visit_a))
    assert list(ConclusionRevision.objects.values_list("number", flat=True)) == [1, 2]

    first = page(client.get(url("conclusion_revision", visit_a, 1)))
    second = page(client.get(url("conclusion_revision", visit_a, 2)))
    assert ASSESSMENT in first and "Đánh giá chung đã sửa lần hai." not in first
    assert "Bổ sung đánh giá." in first  # why it was reopened
    assert "Đánh giá chung đã sửa lần hai." in second

    client.force_login(user_a)
    assert ASSESSMENT in page(client.get(url("conclusion_revision", visit_a, 1)))
    latest = page(client.get(url("conclusion", visit_a)))
    assert "Đánh giá chung đã sửa lần hai." in latest and "Lần ban hành 2" in latest


def test_an_unknown_revision_is_404(client, drafted, visit_a):
    client.post(url("conclusion_issue", visit_a))
    assert client.get(url("conclusion_revision", visit_a, 2)).status_code == 404


# --- Who reads, who writes ---------------------------------------------------------------------


def test_the_units_staff_see_nothing_before_the_first_issue(client, drafted, visit_a, user_a):
    client.force_login(user_a)
    assert client.get(url("conclusion", visit_a)).status_code == 404


def test_the_units_staff_read_the_issued_text_but_never_a_later_draft(client, drafted, visit_a, user_a, lead_user):
    client.post(url("conclusion_issue", visit_a))
    client.post(url("conclusion_reopen", visit_a), {"reason": "Sửa lỗi chính tả."})
    client.post(url("conclusion_save", visit_a), save_data(drafted, "Bản nháp chưa ban hành."))
    client.force_login(user_a)
    body = page(client.get(url("conclusion", visit_a)))
    assert ASSESSMENT in body and SHORTCOMING in body
    assert "Bản nháp chưa ban hành." not in body
    assert url("conclusion_save", visit_a) not in body and url("conclusion_reopen", visit_a) not in body


@pytest.mark.parametrize("who", ["coordinator", "inspector", "leader"])
def test_other_readers_see_the_current_text_read_only(client, drafted, visit_a, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url("conclusion", visit_a))
    assert response.status_code == 200
    body = page(response)
    assert ASSESSMENT in body and SHORTCOMING in body
    assert "Lưu dự thảo" not in body and "Ban hành kết luận" not in body and "Tạo yêu cầu" not in body
    assert ("Lịch sử thay đổi" in body) is (who == "coordinator")


def lead_posts(visit, conclusion):
    action = conclusion.actions.first()
    return [
        (url("conclusion_start", visit), {}),
        (url("conclusion_save", visit), save_data(conclusion, "Không phải Trưởng đoàn")),
        (url("conclusion_refill", visit, 3), {}),
        (url("action_add", visit), {"text": "Không phải Trưởng đoàn"}),
        (url("action_delete", visit, action.pk), {}),
        (url("conclusion_issue", visit), {}),
        (url("conclusion_reopen", visit), {"reason": "Không phải Trưởng đoàn"}),
    ]


@pytest.mark.parametrize("who", ["coordinator", "inspector", "leader", "user_a"])
def test_only_the_lead_writes_everyone_else_gets_403(client, drafted, visit_a, who, request):
    before = state(drafted)
    client.force_login(request.getfixturevalue(who))
    for target, data in lead_posts(visit_a, drafted):
        assert client.post(target, data).status_code == 403, target
    assert state(drafted) == before


def test_another_units_user_gets_404_everywhere(client, drafted, visit_a, user_b):
    client.post(url("conclusion_issue", visit_a))
    before = state(drafted)
    client.force_login(user_b)
    assert client.get(url("conclusion", visit_a)).status_code == 404
    assert client.get(url("conclusion_revision", visit_a, 1)).status_code == 404
    for target, data in lead_posts(visit_a, drafted):
        assert client.post(target, data).status_code == 404, target
    assert state(drafted) == before


def test_pages_are_get_only_and_posts_are_post_only(client, drafted, visit_a):
    assert client.post(url("conclusion", visit_a)).status_code == 405
    assert client.get(url("conclusion_issue", visit_a)).status_code == 405


def test_the_lead_issues_the_conclusion_of_a_visit_they_did_not_go_on(
    client, lead_user, plan, unit_b, inspector_member, home_affairs
):
    # A national team works in groups; the lead signs every conclusion of the plan, going or not.
    visit = schedule_visit(plan, unit_b, [inspector_member], day=D(2022, 8, 16))
    client.force_login(lead_user)
    assert client.get(reverse("inspections:inspection_detail", args=[visit.pk])).status_code == 200
    client.post(url("conclusion_start", visit))
    conclusion = Conclusion.objects.get(inspection=visit)
    client.post(url("conclusion_save", visit), save_data(conclusion))
    response = client.post(url("conclusion_issue", visit))
    assert response.status_code == 302
    conclusion.refresh_from_db()
    assert conclusion.is_issued
    # Another inspector of the team who does not go on it still gets 404.
    other = user_with_role(Role.INSPECTOR, username="other_member")
    plan.team.members.create(user=other, agency=home_affairs)
    client.force_login(other)
    assert client.get(reverse("inspections:inspection_detail", args=[visit.pk])).status_code == 404
