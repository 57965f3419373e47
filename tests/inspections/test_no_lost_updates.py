"""No lost updates: a save over someone else's newer save is refused, with what changed; the input stays."""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from inspections import services
from inspections.models import Conclusion, Finding, RemediationAction
from tests.factories import user_with_role
from tests.inspections.factories import page
from units.roles import Role


@pytest.fixture
def lead_user(lead):
    user = user_with_role(Role.INSPECTOR, username="truongdoan", first_name="Minh", last_name="Vũ Đức")
    lead.user = user
    lead.save()
    return user


@pytest.fixture
def finding(visit_a, inspector):
    return services.finding_record(
        inspection=visit_a,
        area=visit_a.plan.areas.get(number=3),
        criterion=None,
        kind="shortcoming",
        text="Chưa niêm yết TTHC.",
        user=inspector,
    )


def edit(client, finding, text, version):
    return client.post(
        reverse("inspections:visit_finding_edit", args=[finding.pk]),
        {"area": finding.area_id, "kind": "shortcoming", "text": text, "version": version},
    )


def test_the_second_of_two_finding_edits_is_refused_and_keeps_its_input(client, inspector, visit_a, finding, lead):
    other_member = user_with_role(Role.INSPECTOR, first_name="Hà", last_name="Đỗ Thị")
    lead.user = other_member
    lead.save()
    client.force_login(other_member)
    assert edit(client, finding, "Bản sửa thứ nhất.", 1).status_code == 302
    client.force_login(inspector)
    response = edit(client, finding, "Bản sửa thứ hai.", 1)  # opened before the first save
    html = page(response)
    assert response.status_code == 400
    assert "Đỗ Thị Hà đã lưu nội dung này lúc" in html
    assert "Thay đổi của bạn chưa được lưu." in html
    assert "Nội dung ghi nhận hiện là: “Bản sửa thứ nhất.”" in html
    assert "Bản sửa thứ hai." in html  # the input stays in the form
    finding.refresh_from_db()
    assert (finding.text, finding.version) == ("Bản sửa thứ nhất.", 2)
    # Saving again, now knowingly over version 2, goes through.
    assert 'name="version" value="2"' in html
    assert edit(client, finding, "Bản sửa thứ hai.", 2).status_code == 302
    finding.refresh_from_db()
    assert (finding.text, finding.version) == ("Bản sửa thứ hai.", 3)


def test_a_stale_conclusion_save_is_refused(client, visit_a, lead_user):
    conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
    client.force_login(lead_user)
    url = reverse("inspections:conclusion_save", args=[visit_a.pk])
    assert client.post(url, {"general_assessment": "Lần một.", "version": 1}).status_code == 302
    response = client.post(url, {"general_assessment": "Lần hai từ tab cũ.", "version": 1})
    assert response.status_code == 400
    html = page(response)
    assert "Đánh giá chung hiện là: “Lần một.”" in html and "Lần hai từ tab cũ." in html
    conclusion.refresh_from_db()
    assert conclusion.general_assessment == "Lần một."


def test_a_stale_remediation_review_is_refused(client, visit_a, lead_user, finding, user_a, coordinator):
    conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
    action = services.action_add(conclusion=conclusion, finding=finding, text="", user=lead_user)
    services.conclusion_save(conclusion=conclusion, general_assessment="Tốt.", areas={}, user=lead_user)
    services.conclusion_issue(conclusion=conclusion, user=lead_user)
    services.remediation_report(action=action, text="Đã sửa.", user=user_a)
    action.refresh_from_db()
    opened_at = action.version
    services.remediation_review(action=action, decision="returned", comment="Thiếu ảnh.", user=coordinator)
    services.remediation_report(action=action, text="Bổ sung ảnh.", user=user_a)
    client.force_login(coordinator)
    response = client.post(
        reverse("inspections:remediation_review", args=[action.pk]),
        {"decision": "verified", "comment": "", "version": opened_at},
    )
    assert response.status_code == 400
    assert "Thay đổi của bạn chưa được lưu." in page(response)
    action.refresh_from_db()
    assert action.status == "reported"
    assert action.reviews.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_many_concurrent_stale_saves_wins_on_postgresql(visit_a, inspector):
    finding = services.finding_record(
        inspection=visit_a,
        area=visit_a.plan.areas.get(number=3),
        criterion=None,
        kind="shortcoming",
        text="Ban đầu.",
        user=inspector,
    )
    tries = 8
    barrier = threading.Barrier(tries)
    results = []
    lock = threading.Lock()

    def save(n):
        try:
            stale = Finding.objects.get(pk=finding.pk)  # everyone loaded version 1
            barrier.wait()
            try:
                services.finding_update(
                    finding=stale,
                    area=stale.area,
                    criterion=None,
                    kind="shortcoming",
                    text=f"Bản sửa {n}.",
                    expected_version=1,
                )
                outcome = "won"
            except services.StaleEdit:
                outcome = "refused"
            with lock:
                results.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    print(f"concurrent saves tried: {tries}, won: {results.count('won')}, refused: {results.count('refused')}")
    assert len(results) == tries
    assert results.count("won") == 1
    finding.refresh_from_db()
    assert finding.version == 2
    assert finding.history.count() == 2  # created + the one winning change


def test_version_bumps_on_every_change_of_status(visit_a, lead_user, finding, user_a, coordinator):
    conclusion = services.conclusion_start(inspection=visit_a, user=lead_user)
    action = services.action_add(conclusion=conclusion, finding=finding, text="", user=lead_user)
    services.conclusion_save(conclusion=conclusion, general_assessment="Tốt.", areas={}, user=lead_user)
    services.conclusion_issue(conclusion=conclusion, user=lead_user)
    assert Conclusion.objects.get().version == 2
    services.remediation_report(action=action, text="Đã sửa.", user=user_a)
    services.remediation_review(action=action, decision="verified", comment="", user=coordinator)
    assert RemediationAction.objects.get().version == 3
