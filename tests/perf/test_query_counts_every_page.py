"""Every list, detail and dashboard page makes as many SQL queries with 50 units and all their data
as with 5, and django-zeal sees no N+1 on any of them.

The pages are found by walking the URL resolver: a new page fails `test_every_page_has_a_case`
until it gets a case below (or a reason in EXCLUDED). Each case is rendered by the principal who
uses it, first at SMALL and then, after the world has grown, at LARGE (tests/perf/conftest.py).
The sizes are ten apart, as in the issue (which says 50 and 500): 500 units with all their data
would take this file from under a minute to several on SQLite. django-zeal raises on the second
lazy load from one line of code, so it already sees an N+1 at the small size.
"""

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from zeal import NPlusOneError, zeal_context

from tests.core.test_access import named_patterns
from tests.factories import UnitFactory
from units.models import Unit

SMALL, LARGE = 5, 50
NUMBER = re.compile(r"\b\d+\b")

# Not rendered here, each for a reason.
EXCLUDED = {
    # Requests that change something: their GET is refused (405) or only redirects.
    "logout": "POST only",
    "set_language": "POST endpoint; a GET only redirects",
    "inspections:plan_status": "POST only",
    "inspections:plan_copy": "POST only",
    "inspections:criterion_retire": "POST only",
    "inspections:criterion_delete": "POST only",
    "inspections:member_delete": "POST only",
    "inspections:inspection_acknowledge": "POST only",
    "inspections:notice_send": "POST only",
    "inspections:paper_copies_add": "POST only",
    "inspections:self_inspection_upload": "POST only",
    "inspections:self_inspection_unit_add": "POST only",
    "inspections:self_inspection_finding_add": "POST only",
    "inspections:visit_finding_add": "POST only",
    "inspections:visit_finding_delete": "POST only",
    "inspections:visit_divisions": "POST only",
    "inspections:visit_checklist": "POST only",
    "inspections:checklist_to_shortcoming": "POST only",
    "inspections:conclusion_start": "POST only",
    "inspections:conclusion_save": "POST only",
    "inspections:conclusion_refill": "POST only",
    "inspections:action_add": "POST only",
    "inspections:action_delete": "POST only",
    "inspections:conclusion_issue": "POST only",
    "inspections:conclusion_reopen": "POST only",
    "inspections:remediation_report": "POST only",
    "inspections:remediation_review": "POST only",
    "reports:summary_request": "POST only",
    # One stored file streamed by its pk: the queries are the access check, nothing is listed.
    "inspections:notice_download": "stored file download",
    "inspections:submission_download": "stored file download",
    "inspections:evidence_download": "stored file download",
    "reports:generated_download": "stored file download",
}
# Django's own admin (/quan-tri/): its pages are Django's, used by coordinators for the registry only.
EXCLUDED_PREFIXES = ("admin:",)


@dataclass(frozen=True)
class Case:
    name: str  # the URL name
    who: str  # a key of principals()
    url: Callable
    grows: bool = True  # the page shows more at LARGE than at SMALL
    rows: Callable | None = None  # rows on a paginated or capped page: must be more at LARGE
    status: int = 200
    variant: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}[{self.who}{'-' + self.variant if self.variant else ''}]"


def _page_rows(response) -> int:
    return len(response.context["page"].object_list)


def _u(name, *args):
    return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args])


def _plan(w):
    return w.plan.pk


def _visit_a(w):
    return w.visit_a.pk


def _visit_c(w):
    return w.visit_c.pk


def _history(model, obj):
    return _u("inspections:history", model, lambda w: obj(w).pk)


CASES = [
    Case("login", "anonymous", _u("login"), grows=False),
    Case("password_change", "unit_a", _u("password_change"), grows=False),
    Case("password_change_done", "unit_a", _u("password_change_done"), grows=False),
    Case("home", "coordinator", _u("home"), grows=False),  # unit counts per kind: four numbers
    Case("home", "lead", _u("home"), rows=lambda r: len(r.context["my_visits"])),
    Case("home", "unit_a", _u("home")),
    Case("units:list", "coordinator", _u("units:list"), rows=_page_rows),
    Case("units:list", "unit_c", _u("units:list"), rows=_page_rows),
    Case("units:detail", "coordinator", _u("units:detail", lambda w: w.unit_c.pk)),
    Case("units:detail", "unit_s", _u("units:detail", lambda w: w.unit_s.pk)),
    Case("inspections:plan_list", "coordinator", _u("inspections:plan_list")),
    Case("inspections:plan_create", "coordinator", _u("inspections:plan_create"), grows=False),
    Case("inspections:plan_detail", "coordinator", _u("inspections:plan_detail", _plan)),
    Case("inspections:plan_edit", "coordinator", _u("inspections:plan_edit", _plan), grows=False),
    Case("inspections:plan_units", "coordinator", _u("inspections:plan_units", _plan)),
    Case("inspections:plan_areas", "coordinator", _u("inspections:plan_areas", _plan)),
    Case("inspections:team_detail", "coordinator", _u("inspections:team_detail", _plan)),
    Case("inspections:team_edit", "coordinator", _u("inspections:team_edit", _plan), grows=False),
    Case("inspections:member_create", "coordinator", _u("inspections:member_create", _plan)),
    Case("inspections:member_edit", "coordinator", _u("inspections:member_edit", lambda w: w.outsider.pk)),
    Case("inspections:schedule", "coordinator", _u("inspections:schedule", _plan)),
    Case("inspections:schedule", "inspector", _u("inspections:schedule", _plan)),
    Case(
        "inspections:schedule_calendar",
        "coordinator",
        lambda w: reverse("inspections:schedule_calendar", args=[w.plan.pk]) + "?thang=2022-08",
    ),
    Case("inspections:inspection_create", "coordinator", _u("inspections:inspection_create", _plan)),
    Case(
        "inspections:criterion_create",
        "coordinator",
        _u("inspections:criterion_create", lambda w: w.areas[0].pk),
        grows=False,
    ),
    Case(
        "inspections:criterion_edit",
        "coordinator",
        _u("inspections:criterion_edit", lambda w: w.criteria[0].pk),
        grows=False,
    ),
    Case("inspections:inspection_detail", "coordinator", _u("inspections:inspection_detail", _visit_a)),
    Case("inspections:inspection_edit", "coordinator", _u("inspections:inspection_edit", _visit_a)),
    Case(
        "inspections:inspection_reschedule",
        "coordinator",
        _u("inspections:inspection_reschedule", _visit_a),
        grows=False,  # the form of one visit's date
    ),
    Case("inspections:notice_preview", "coordinator", _u("inspections:notice_preview", _visit_a)),
    Case("inspections:inspection_reports", "unit_a", _u("inspections:inspection_reports", _visit_a)),
    Case("inspections:inspection_reports", "coordinator", _u("inspections:inspection_reports", _visit_a)),
    # The plan's figures are fixed; only the unit's values (three of them) are on these two.
    Case("inspections:inspection_appendix", "unit_a", _u("inspections:inspection_appendix", _visit_a), grows=False),
    Case("inspections:appendix_template", "unit_a", _u("inspections:appendix_template", _visit_a), grows=False),
    Case(
        "inspections:self_inspection",
        "unit_s",
        _u("inspections:self_inspection", _plan, lambda w: w.unit_s.pk),
    ),
    Case("inspections:plan_coverage", "coordinator", _u("inspections:plan_coverage", _plan)),
    Case("inspections:plan_overview", "coordinator", _u("inspections:plan_overview", _plan)),
    Case("inspections:my_calendar", "lead", _u("inspections:my_calendar"), grows=False),  # two feed addresses
    Case("inspections:feed_member", "anonymous", _u("inspections:feed_member", lambda w: w.lead_token.token)),
    Case("inspections:feed_unit", "anonymous", _u("inspections:feed_unit", lambda w: w.unit_token.token)),
    Case("inspections:visit_findings", "inspector", _u("inspections:visit_findings", _visit_c), variant="writer"),
    Case("inspections:visit_findings", "unit_a", _u("inspections:visit_findings", _visit_a), variant="issued"),
    Case(
        "inspections:visit_finding_edit",
        "inspector",
        _u("inspections:visit_finding_edit", lambda w: w.finding_c.pk),
    ),
    Case("inspections:conclusion", "lead", _u("inspections:conclusion", _visit_c), variant="draft"),
    Case("inspections:conclusion", "lead", _u("inspections:conclusion", _visit_a), variant="issued"),
    Case("inspections:conclusion", "unit_a", _u("inspections:conclusion", _visit_a)),
    Case("inspections:conclusion_revision", "lead", _u("inspections:conclusion_revision", _visit_a, 2)),
    Case("inspections:remediation_list", "coordinator", _u("inspections:remediation_list"), rows=_page_rows),
    Case("inspections:remediation_list", "unit_a", _u("inspections:remediation_list"), rows=_page_rows),
    Case("inspections:remediation_detail", "unit_a", _u("inspections:remediation_detail", lambda w: w.action_a.pk)),
    Case(
        "inspections:remediation_detail", "coordinator", _u("inspections:remediation_detail", lambda w: w.action_a.pk)
    ),
    Case("inspections:remediation_plan", "coordinator", _u("inspections:remediation_plan", _plan)),
    Case("inspections:history", "coordinator", _history("plan", lambda w: w.plan), variant="plan"),
    Case("inspections:history", "coordinator", _history("inspection", lambda w: w.visit_a), variant="inspection"),
    Case("inspections:history", "coordinator", _history("finding", lambda w: w.finding_a), variant="finding"),
    Case("inspections:history", "coordinator", _history("conclusion", lambda w: w.conclusion_a), variant="conclusion"),
    Case("inspections:history", "coordinator", _history("action", lambda w: w.action_a), variant="action"),
    # A file's history is its upload: one entry, whatever else grows.
    Case(
        "inspections:history",
        "coordinator",
        _history("submission", lambda w: w.submission_a),
        grows=False,
        variant="submission",
    ),
    Case(
        "inspections:history",
        "coordinator",
        _history("evidence", lambda w: w.evidence_a),
        grows=False,
        variant="evidence",
    ),
    Case("reports:conclusion_pdf", "lead", _u("reports:conclusion_pdf", _visit_a, 2)),
    Case("reports:conclusion_xlsx", "lead", _u("reports:conclusion_xlsx", _visit_a, 2)),
    Case("reports:conclusion_docx", "lead", _u("reports:conclusion_docx", _visit_a, 2)),
    Case("reports:dossier", "coordinator", _u("reports:dossier", _visit_a)),
    Case(
        "reports:generated_document",
        "coordinator",
        _u("reports:generated_document", lambda w: w.document.pk),
        grows=False,
    ),
    Case("reports:dashboard_latest", "leader", _u("reports:dashboard_latest"), grows=False, status=302),
    Case("reports:dashboard", "leader", _u("reports:dashboard", _plan)),
    Case("reports:summary_note", "coordinator", _u("reports:summary_note", _plan), grows=False),
]


def principals(w) -> dict:
    return {
        "anonymous": None,
        "coordinator": w.coordinator,
        "leader": w.leader,
        "lead": w.lead_user,
        "inspector": w.inspector,
        "unit_a": w.user_a,
        "unit_c": w.user_c,
        "unit_s": w.user_s,
    }


@dataclass
class Rendered:
    queries: list[str]
    size: int
    rows: int | None
    n_plus_one: str = ""


def render(client, case: Case, url: str) -> Rendered:
    """One request with its SQL captured and django-zeal watching (it raises on an N+1). Django's cache
    is emptied first: a page that caches what it computes (the dashboard) is measured computing it."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        try:
            with zeal_context():
                response = client.get(url)
                body = b"".join(response.streaming_content) if response.streaming else response.content
        except NPlusOneError as error:
            return Rendered([q["sql"] for q in captured.captured_queries], 0, None, str(error))
    assert response.status_code == case.status, (case.id, url, response.status_code)
    rows = case.rows(response) if case.rows else None
    return Rendered([q["sql"] for q in captured.captured_queries], len(body), rows)


def added_queries(few: list[str], many: list[str]) -> str:
    """The statements (numbers blanked) made more often at the large size: where the N+1 is."""
    added = Counter(NUMBER.sub("#", q) for q in many) - Counter(NUMBER.sub("#", q) for q in few)
    return "\n".join(f"+{n} × {sql[:400]}" for sql, n in added.most_common(5))


@pytest.mark.django_db
def test_zeal_is_watching(zeal):
    # Its patches must be in place before any relation is used (tests/perf/conftest.py), or it
    # would pass every page without seeing anything.
    districts = [UnitFactory(kind=Unit.Kind.DISTRICT) for _ in range(2)]
    for district in districts:
        UnitFactory(kind=Unit.Kind.COMMUNE, parent=district)
    with pytest.raises(NPlusOneError, match="Unit.children"), zeal_context():
        for district in Unit.objects.filter(pk__in=[d.pk for d in districts]):
            list(district.children.all())
    with pytest.raises(NPlusOneError, match="Unit.parent"), zeal_context():
        for commune in Unit.objects.filter(kind=Unit.Kind.COMMUNE):
            str(commune.parent)


def test_every_page_has_a_case():
    names = {name for name, _pattern in named_patterns()}
    pages = {n for n in names if not n.startswith(EXCLUDED_PREFIXES)}
    covered = {case.name for case in CASES}
    assert pages - covered - EXCLUDED.keys() == set(), "pages with neither a case nor a reason to skip"
    assert (covered | EXCLUDED.keys()) - pages == set(), "cases or exclusions of pages that no longer exist"
    assert not covered & EXCLUDED.keys()


@pytest.mark.django_db
def test_every_page_makes_as_many_queries_at_50_units_as_at_5(world, zeal, subtests):
    started = time.monotonic()
    clients = {}
    for key, user in principals(world).items():
        clients[key] = Client()
        if user is not None:
            clients[key].force_login(user)

    world.grow(SMALL)
    urls = {case: case.url(world) for case in CASES}
    for case in CASES:  # sessions, caches and one-off rows (a calendar token) settled once
        clients[case.who].get(urls[case])
    small = {case: render(clients[case.who], case, urls[case]) for case in CASES}

    world.grow(LARGE - SMALL)
    large = {case: render(clients[case.who], case, urls[case]) for case in CASES}

    for case in CASES:
        with subtests.test(msg=case.id):
            few, many = small[case], large[case]
            if few.n_plus_one or many.n_plus_one:
                pytest.fail(f"{case.id}: {few.n_plus_one or many.n_plus_one}")
            if len(many.queries) != len(few.queries):
                pytest.fail(
                    f"{case.id}: {len(few.queries)} queries at {SMALL} units, {len(many.queries)} at {LARGE}\n"
                    + added_queries(few.queries, many.queries)
                )
            if case.grows:
                assert many.size > few.size, f"{case.id} shows no more at {LARGE} units than at {SMALL}"
            if case.rows:
                assert many.rows > few.rows, f"{case.id}: {few.rows} rows at {SMALL} units, {many.rows} at {LARGE}"
    print(f"\n{len(CASES)} cases, {len({c.name for c in CASES})} pages, {time.monotonic() - started:.1f} s")
