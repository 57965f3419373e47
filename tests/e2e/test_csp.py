"""The Content-Security-Policy holds in a real browser: every role's main pages load with no
violation (no `securitypolicyviolation` event, no console error about the policy), and the one
script of the app (the language switch) still works under it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inspections import services
from inspections.models import Finding, InspectionPlan, Submission, TeamMember
from tests.e2e.browser import csp_violations, expect, log_in, log_out, pdf_file
from tests.factories import user_with_role
from units.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("media_root")]

TEXT = "Chưa công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa.\nCòn thiếu sổ theo dõi hồ sơ."


@pytest.fixture
def everything(plan, visit_a, visit_b, unit_a, inspector, user_a, tmp_path):
    """Every page with something on it: findings, an issued conclusion (visit A) with a request the
    unit has reported on, a draft conclusion (visit B) with a shortcoming to turn into a request,
    multi-line texts, a file sent by the unit, an active plan for the dashboard's charts."""
    lead = plan.team.members.get(role=TeamMember.Role.LEAD)
    lead.user = user_with_role(Role.INSPECTOR, username="lead", first_name="Hạnh", last_name="Nguyễn Thị Hồng")
    lead.save(update_fields=["user"])
    services.plan_set_status(plan=plan, status=InspectionPlan.Status.ACTIVE)
    areas = {a.number: a for a in plan.areas.all()}

    def record(visit, kind, user):
        return services.finding_record(inspection=visit, area=areas[3], criterion=None, kind=kind, text=TEXT, user=user)

    record(visit_a, Finding.Kind.STRENGTH, inspector)
    finding = record(visit_a, Finding.Kind.SHORTCOMING, inspector)
    conclusion = services.conclusion_start(inspection=visit_a, user=lead.user)
    action = services.action_add(conclusion=conclusion, finding=finding, text="", user=lead.user)
    services.conclusion_save(conclusion=conclusion, general_assessment=TEXT, areas={}, user=lead.user)
    services.conclusion_issue(conclusion=conclusion, user=lead.user)
    services.remediation_report(action=action, text=TEXT, user=user_a)
    record(visit_b, Finding.Kind.SHORTCOMING, lead.user)
    services.conclusion_start(inspection=visit_b, user=lead.user)
    with open(pdf_file(tmp_path / "Báo cáo.pdf"), "rb") as report:
        services.submission_create(
            plan=plan,
            unit=unit_a,
            inspection=visit_a,
            kind=Submission.Kind.REPORT,
            uploaded_file=SimpleUploadedFile("Báo cáo.pdf", report.read()),
            user=user_a,
        )
    return {
        "plan": plan.pk,
        "a": visit_a.pk,
        "b": visit_b.pk,
        "action": action.pk,
        "unit": unit_a.pk,
        "lead": lead.user,
    }


def pages_of(role: str, ids: dict) -> list[str]:
    """The main pages of each role (home, units, plan, schedule, calendar, visit, findings,
    conclusion, remediation, dashboard; the unit portal for a unit's staff), and the forms only
    that role sees."""
    plan, a, b, action = ids["plan"], ids["a"], ids["b"], ids["action"]
    home = [reverse("home"), reverse("inspections:my_calendar"), reverse("inspections:remediation_list")]
    plan_pages = [
        reverse("units:list"),
        reverse("inspections:plan_list"),
        reverse("inspections:plan_detail", args=[plan]),
        reverse("inspections:schedule", args=[plan]),
        reverse("inspections:schedule_calendar", args=[plan]) + "?thang=2022-08",
        reverse("reports:dashboard", args=[plan]),
    ]
    visit_pages = [
        reverse("inspections:inspection_detail", args=[a]),
        reverse("inspections:visit_findings", args=[a]),
        reverse("inspections:conclusion", args=[a]),
        reverse("inspections:remediation_detail", args=[action]),
    ]
    if role == "unit":
        return [
            *home,
            reverse("units:detail", args=[ids["unit"]]),
            *visit_pages,
            reverse("inspections:inspection_reports", args=[a]),
            reverse("inspections:inspection_appendix", args=[a]),
        ]
    if role == "coordinator":  # every page, and the forms only coordinators have
        return [
            *home,
            *plan_pages,
            *visit_pages,
            reverse("inspections:inspection_reports", args=[a]),
            reverse("inspections:inspection_create", args=[plan]),
            reverse("inspections:inspection_reschedule", args=[a]),
            reverse("inspections:plan_edit", args=[plan]),
            reverse("inspections:plan_units", args=[plan]),
            reverse("inspections:plan_areas", args=[plan]),
            reverse("inspections:team_detail", args=[plan]),
            reverse("inspections:plan_overview", args=[plan]),
            reverse("inspections:plan_coverage", args=[plan]),
            reverse("inspections:remediation_plan", args=[plan]),
            reverse("inspections:history", args=["action", action]),
        ]
    if role == "lead":  # the draft conclusion's editor, the findings form of a visit going on
        return [
            reverse("home"),
            reverse("inspections:visit_findings", args=[b]),
            reverse("inspections:conclusion", args=[b]),
            reverse("inspections:conclusion", args=[a]),
        ]
    return home + plan_pages + visit_pages  # the inspector (findings form of visit A) and the leader


def described(violation: dict, html: str) -> str:
    """The directive refused, and the source line of the page that did it."""
    lines = html.splitlines()
    line = violation.get("line") or 0
    snippet = lines[line - 1].strip()[:200] if 0 < line <= len(lines) else violation.get("blocked")
    return f"{violation['directive']} refused {violation['blocked']!r} at line {line}: {snippet}"


def script_src(policy: str) -> str:
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
    return directives.get("script-src", directives.get("default-src", ""))


@pytest.mark.parametrize("role", ["coordinator", "inspector", "lead", "leader", "unit"])
def test_every_page_of_a_role_loads_with_no_csp_violation(
    page, live_server, everything, coordinator, inspector, leader, user_a, console_errors, role
):
    users = {"coordinator": coordinator, "inspector": inspector, "lead": everything["lead"], "leader": leader}
    user = users.get(role, user_a)
    log_in(page, live_server, user)
    problems = {}
    for path in pages_of(role, everything):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, f"{path}: {response.status}"
        policy = response.headers.get("content-security-policy", "")
        assert policy, f"{path}: no Content-Security-Policy header"
        assert "'unsafe-inline'" not in script_src(policy) and "'unsafe-eval'" not in script_src(policy), policy
        page.wait_for_load_state("load")
        violations = page.evaluate("() => new Promise((done) => setTimeout(() => done(window.__csp), 10))")
        if violations:
            problems[path] = [described(v, response.text()) for v in violations]
    csp_console = [message for message in console_errors if "Content Security Policy" in message]
    assert problems == {}, "\n".join(f"{path}: {v}" for path, found in problems.items() for v in found)
    assert csp_console == []


def test_the_language_switch_works_under_the_policy(page, live_server, coordinator, console_errors):
    log_in(page, live_server, coordinator)
    page.get_by_label("Ngôn ngữ").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.get_by_label("Language").select_option("vi")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert csp_violations(page) == []
    assert [m for m in console_errors if "Content Security Policy" in m] == []
    log_out(page)


def test_a_violation_would_be_seen(context, live_server):
    """The control: an inline style attribute added to a page is refused and recorded, so an empty
    window.__csp above means no violation, not a listener that never ran."""
    page = context.new_page()  # not the `page` fixture, which fails a journey on any refusal
    response = page.goto(f"{live_server.url}{reverse('login')}")
    assert "content-security-policy" in response.headers
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("window.__csp.length > 0")
    assert csp_violations(page)[0]["directive"] == "style-src-attr"
