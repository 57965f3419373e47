"""Content areas and their criteria: add, edit, retire, delete (only when no finding uses it)."""

import pytest
from django.urls import reverse

from inspections.models import Criterion, Finding
from tests.inspections.factories import page, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def url(name, *args):
    return reverse(f"inspections:{name}", args=args)


@pytest.fixture
def area(plan):
    return plan.areas.get(number=1)


@pytest.fixture
def criterion(area):
    return area.criteria.order_by("order").first()


@pytest.fixture
def finding(plan, unit_a, area, criterion, coordinator):
    return Finding.objects.create(
        plan=plan,
        unit=unit_a,
        area=area,
        criterion=criterion,
        kind=Finding.Kind.SHORTCOMING,
        text="Chưa ban hành kế hoạch CCHC năm đúng hạn.",
        created_by=coordinator,
    )


def areas_url(area):
    return url("plan_areas", area.plan_id) + f"#area-{area.number}"


def test_areas_page_lists_every_area_and_criterion_with_edit_buttons(client, coordinator, plan, criterion):
    client.force_login(coordinator)
    response = client.get(url("plan_areas", plan.pk))
    assert response.status_code == 200
    html = page(response)
    assert [a.number for a in response.context["areas"]] == [1, 2, 3, 4, 5, 6, 7]
    assert criterion.text in html
    assert url("criterion_edit", criterion.pk) in html
    assert url("criterion_delete", criterion.pk) in html


def test_leader_reads_the_areas_without_edit_buttons(client, leader, plan, criterion):
    client.force_login(leader)
    html = page(client.get(url("plan_areas", plan.pk)))
    assert criterion.text in html
    assert url("criterion_edit", criterion.pk) not in html


def test_coordinator_adds_a_criterion_at_the_end_of_the_area(client, coordinator, area):
    client.force_login(coordinator)
    count = area.criteria.count()
    assert client.get(url("criterion_create", area.pk)).context["form"].initial["order"] == count + 1

    response = client.post(
        url("criterion_create", area.pk),
        {"text": "Có ứng dụng công nghệ thông tin trong chỉ đạo, điều hành CCHC", "order": count + 1},
        follow=True,
    )

    assert response.redirect_chain == [(areas_url(area), 302)]
    assert "Đã thêm tiêu chí." in page(response)
    added = area.criteria.get(order=count + 1)
    assert added.text == "Có ứng dụng công nghệ thông tin trong chỉ đạo, điều hành CCHC"
    assert added.is_active


def test_a_criterion_without_text_is_refused(client, coordinator, plan, area):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(url("criterion_create", area.pk), {"text": "  ", "order": "3"})
    assert response.status_code == 200
    assert response.context["form"].errors["text"] == ["Trường này là bắt buộc."]
    assert "Trường này là bắt buộc." in page(response)
    assert snapshot(plan) == before


def test_coordinator_edits_a_criterion(client, coordinator, area, criterion):
    client.force_login(coordinator)
    response = client.post(url("criterion_edit", criterion.pk), {"text": "Nội dung đã sửa", "order": "9"}, follow=True)
    assert response.redirect_chain == [(areas_url(area), 302)]
    assert "Đã lưu tiêu chí." in page(response)
    criterion.refresh_from_db()
    assert (criterion.text, criterion.order) == ("Nội dung đã sửa", 9)


def test_editing_a_criterion_with_a_bad_order_changes_nothing(client, coordinator, plan, criterion):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(url("criterion_edit", criterion.pk), {"text": "Nội dung đã sửa", "order": "-1"})
    assert response.status_code == 200
    assert response.context["form"].errors["order"]
    assert snapshot(plan) == before


def test_retiring_a_criterion_keeps_it_and_can_be_undone(client, coordinator, plan, area, criterion):
    client.force_login(coordinator)
    response = client.post(url("criterion_retire", criterion.pk), follow=True)
    assert response.redirect_chain == [(areas_url(area), 302)]
    assert "Đã ngừng dùng tiêu chí; các kết quả đã ghi vẫn giữ nguyên." in page(response)
    criterion.refresh_from_db()
    assert not criterion.is_active
    # The plan page counts only the criteria in use.
    areas = {a.number: a for a in client.get(url("plan_detail", plan.pk)).context["areas"]}
    assert areas[1].criteria_count == area.criteria.count() - 1

    response = client.post(url("criterion_retire", criterion.pk), follow=True)
    assert "Đã dùng lại tiêu chí." in page(response)
    criterion.refresh_from_db()
    assert criterion.is_active


def test_an_unused_criterion_is_deleted(client, coordinator, area, criterion):
    client.force_login(coordinator)
    response = client.post(url("criterion_delete", criterion.pk), follow=True)
    assert response.redirect_chain == [(areas_url(area), 302)]
    assert "Đã xóa tiêu chí." in page(response)
    assert not Criterion.objects.filter(pk=criterion.pk).exists()


def test_a_criterion_used_by_a_finding_cannot_be_deleted(client, coordinator, plan, area, criterion, finding):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(url("criterion_delete", criterion.pk), follow=True)
    assert response.redirect_chain == [(areas_url(area), 302)]
    assert "Tiêu chí đã được dùng trong kết quả kiểm tra: chỉ có thể ngừng dùng, không thể xóa." in page(response)
    assert Criterion.objects.filter(pk=criterion.pk).exists()
    assert snapshot(plan) == before
    finding.refresh_from_db()
    assert finding.criterion == criterion


def test_a_criterion_used_by_a_finding_can_be_retired(client, coordinator, criterion, finding):
    client.force_login(coordinator)
    client.post(url("criterion_retire", criterion.pk))
    criterion.refresh_from_db()
    assert not criterion.is_active
    finding.refresh_from_db()
    assert finding.criterion == criterion


def test_a_used_criterion_shows_its_findings_and_no_delete_button(client, coordinator, plan, criterion, finding):
    client.force_login(coordinator)
    html = page(client.get(url("plan_areas", plan.pk)))
    assert "1 kết quả" in html
    assert url("criterion_retire", criterion.pk) in html
    assert url("criterion_delete", criterion.pk) not in html


def test_leader_cannot_change_criteria(client, leader, plan, area, criterion):
    client.force_login(leader)
    before = snapshot(plan)
    assert client.post(url("criterion_create", area.pk), {"text": "Mới", "order": "1"}).status_code == 403
    assert client.post(url("criterion_edit", criterion.pk), {"text": "Sửa", "order": "1"}).status_code == 403
    assert client.post(url("criterion_retire", criterion.pk)).status_code == 403
    assert client.post(url("criterion_delete", criterion.pk)).status_code == 403
    assert snapshot(plan) == before


def test_unit_user_gets_404_for_criteria(client, user_a, plan, area, criterion):
    client.force_login(user_a)
    before = snapshot(plan)
    assert client.get(url("plan_areas", plan.pk)).status_code == 404
    assert client.get(url("criterion_create", area.pk)).status_code == 404
    assert client.post(url("criterion_edit", criterion.pk), {"text": "Sửa", "order": "1"}).status_code == 404
    assert client.post(url("criterion_delete", criterion.pk)).status_code == 404
    assert snapshot(plan) == before


def test_the_areas_page_lists_the_criteria_in_their_order(client, coordinator, plan, area):
    client.force_login(coordinator)
    client.post(url("criterion_create", area.pk), {"text": "Tiêu chí đặt lên đầu", "order": "0"})
    response = client.get(url("plan_areas", plan.pk))
    [shown] = [a for a in response.context["areas"] if a.number == 1]
    orders = [c.order for c in shown.criteria.all()]
    assert orders == sorted(orders)
    assert shown.criteria.all()[0].text == "Tiêu chí đặt lên đầu"
