"""Coordinators define each plan's appendix figures and rules in the admin."""

import pytest
from django.urls import reverse

from inspections.models import AppendixFigure, AppendixRule, AppendixValue
from tests.inspections.factories import page


def test_coordinator_adds_a_figure_to_a_plan(client, coordinator, plan):
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:inspections_appendixfigure_add"),
        {"plan": plan.pk, "order": 99, "code": "complaints", "group": "Khác", "label": "Số đơn thư phản ánh"},
    )
    assert response.status_code == 302
    assert plan.figures.filter(code="complaints").exists()


def test_a_rule_naming_an_unknown_figure_is_refused(client, coordinator, plan):
    client.force_login(coordinator)
    before = AppendixRule.objects.count()
    response = client.post(
        reverse("admin:inspections_appendixrule_add"), {"plan": plan.pk, "parts": "khong_co", "total": "received_total"}
    )
    assert "Mã chỉ tiêu không có trong kế hoạch: khong_co." in page(response)
    assert AppendixRule.objects.count() == before


def test_a_figure_units_reported_cannot_be_deleted(client, coordinator, plan, unit_a):
    figure = plan.figures.first()
    AppendixValue.objects.create(plan=plan, unit=unit_a, figure=figure, value=3, updated_by=coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("admin:inspections_appendixfigure_delete", args=[figure.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert AppendixFigure.objects.filter(pk=figure.pk).exists()


@pytest.mark.parametrize("persona", ["user_a", "leader", "inspector"])
def test_only_coordinators_edit_figures(client, request, plan, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("admin:inspections_appendixfigure_changelist")).status_code == 403
