"""The access matrix: every URL pattern of the project × eight principals × GET and POST, against the
status written down for it below, with objects of two units in place (tests/security/conftest.py).

A URL added to the project without a row here fails the test, named. Each request runs in a savepoint
that is rolled back, so every one meets the same data (a POST is sent with an empty body, and where
the app acts on an empty POST - a copy, a logout - the rollback undoes it). No page that unit B's user
fetches shows unit A's marker (and the other way round), and no page that team Y's member fetches
shows either visit's marker.
"""

import logging
import time
from http.cookies import SimpleCookie
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.test import Client
from django.urls import reverse

from tests.core.test_access import named_patterns
from tests.security.conftest import MARK_A, MARK_B, PRINCIPALS
from units.models import Unit

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")  # which hands over to LOGIN (tests/core/test_access.py)

# Reached without a session: the login page, the language switch, logout, and the calendar feeds
# (whose unguessable token is the credential).
PUBLIC = {"login", "logout", "set_language", "inspections:feed_member", "inspections:feed_unit"}

# Each case: (URL name, kwargs from the world `w` and, for a unit's object, its side `s`).
# A case with a side runs twice: with unit A's objects (the row as written) and with unit B's
# (the row with the user_a and user_b columns swapped). A "name[variant]" key is the same URL
# with another object.
SIDED = {
    "units:detail": lambda w, s: {"pk": s.unit.pk},
    "units:detail[commune]": lambda w, s: {"pk": s.commune.pk},
    "inspections:inspection_detail": lambda w, s: {"pk": s.visit.pk},
    "inspections:inspection_edit": lambda w, s: {"pk": s.visit.pk},
    "inspections:inspection_reschedule": lambda w, s: {"pk": s.visit.pk},
    "inspections:inspection_acknowledge": lambda w, s: {"pk": s.visit.pk},
    "inspections:notice_preview": lambda w, s: {"pk": s.visit.pk},
    "inspections:notice_send": lambda w, s: {"pk": s.visit.pk},
    "inspections:notice_download": lambda w, s: {"pk": s.visit.pk, "notice_pk": s.notice.pk},
    "inspections:notice_download[other-unit-notice]": lambda w, s: {
        "pk": s.visit.pk,
        "notice_pk": other(w, s).notice.pk,
    },
    "inspections:inspection_reports": lambda w, s: {"pk": s.visit.pk},
    "inspections:paper_copies_add": lambda w, s: {"pk": s.visit.pk},
    "inspections:inspection_appendix": lambda w, s: {"pk": s.visit.pk},
    "inspections:appendix_template": lambda w, s: {"pk": s.visit.pk},
    "inspections:submission_download": lambda w, s: {"pk": s.report.pk},
    "inspections:submission_download[self-inspection]": lambda w, s: {"pk": s.self_report.pk},
    "inspections:self_inspection": lambda w, s: {"pk": w.plan.pk, "unit_pk": s.unit.pk},
    "inspections:self_inspection[commune]": lambda w, s: {"pk": w.plan.pk, "unit_pk": s.commune.pk},
    "inspections:self_inspection_upload": lambda w, s: {"pk": w.plan.pk, "unit_pk": s.unit.pk},
    "inspections:self_inspection_unit_add": lambda w, s: {"pk": w.plan.pk, "unit_pk": s.unit.pk},
    "inspections:self_inspection_finding_add": lambda w, s: {"pk": w.plan.pk, "unit_pk": s.unit.pk},
    "inspections:feed_unit": lambda w, s: {"token": s.token.token},
    "inspections:visit_findings": lambda w, s: {"pk": s.visit.pk},
    "inspections:visit_finding_add": lambda w, s: {"pk": s.visit.pk},
    "inspections:visit_finding_edit": lambda w, s: {"finding_pk": s.finding.pk},
    "inspections:visit_finding_delete": lambda w, s: {"finding_pk": s.finding.pk},
    "inspections:visit_divisions": lambda w, s: {"pk": s.visit.pk},
    "inspections:visit_checklist": lambda w, s: {"pk": s.visit.pk},
    "inspections:checklist_to_shortcoming": lambda w, s: {"answer_pk": s.answer.pk},
    "inspections:evidence_download": lambda w, s: {"pk": s.finding_evidence.pk},
    "inspections:evidence_download[remediation]": lambda w, s: {"pk": s.remediation_evidence.pk},
    "inspections:conclusion": lambda w, s: {"pk": s.visit.pk},
    "inspections:conclusion_start": lambda w, s: {"pk": s.visit.pk},
    "inspections:conclusion_save": lambda w, s: {"pk": s.visit.pk},
    "inspections:conclusion_refill": lambda w, s: {"pk": s.visit.pk, "number": 3},
    "inspections:action_add": lambda w, s: {"pk": s.visit.pk},
    "inspections:action_delete": lambda w, s: {"pk": s.visit.pk, "action_pk": s.action.pk},
    "inspections:action_delete[other-unit-action]": lambda w, s: {
        "pk": s.visit.pk,
        "action_pk": other(w, s).action.pk,
    },
    "inspections:conclusion_issue": lambda w, s: {"pk": s.visit.pk},
    "inspections:conclusion_reopen": lambda w, s: {"pk": s.visit.pk},
    "inspections:conclusion_revision": lambda w, s: {"pk": s.visit.pk, "number": s.revision.number},
    "inspections:remediation_detail": lambda w, s: {"pk": s.action.pk},
    "inspections:remediation_report": lambda w, s: {"pk": s.action.pk},
    "inspections:remediation_review": lambda w, s: {"pk": s.action.pk},
    "inspections:history[inspection]": lambda w, s: {"model": "inspection", "pk": s.visit.pk},
    "inspections:history[finding]": lambda w, s: {"model": "finding", "pk": s.finding.pk},
    "inspections:history[conclusion]": lambda w, s: {"model": "conclusion", "pk": s.conclusion.pk},
    "inspections:history[action]": lambda w, s: {"model": "action", "pk": s.action.pk},
    "inspections:history[submission]": lambda w, s: {"model": "submission", "pk": s.report.pk},
    "inspections:history[evidence]": lambda w, s: {"model": "evidence", "pk": s.finding_evidence.pk},
    "reports:conclusion_pdf": lambda w, s: {"inspection_pk": s.visit.pk, "number": s.revision.number},
    "reports:conclusion_xlsx": lambda w, s: {"inspection_pk": s.visit.pk, "number": s.revision.number},
    "reports:conclusion_docx": lambda w, s: {"inspection_pk": s.visit.pk, "number": s.revision.number},
    "reports:dossier": lambda w, s: {"inspection_pk": s.visit.pk},
}


def other(w, s):
    return w.b if s is w.a else w.a


def _admin_object(model_key):
    return lambda w: {"object_id": str(ADMIN_OBJECTS[model_key](w).pk)}


ADMIN_OBJECTS = {
    "auth_group": lambda w: w.group,
    "axes_accessattempt": lambda w: w.attempt,
    "axes_accesslog": lambda w: w.access_log,
    "axes_accessfailurelog": lambda w: w.failure_log,
    "django_tasks_database_dbtaskresult": lambda w: w.task_result,
    "units_unit": lambda w: w.a.unit,
    "units_user": lambda w: w.a.user,
    "inspections_appendixfigure": lambda w: w.figure,
    "inspections_appendixrule": lambda w: w.figure_rule,
}

PLAIN = {
    "inspections:plan_detail": lambda w: {"pk": w.plan.pk},
    "inspections:plan_edit": lambda w: {"pk": w.plan.pk},
    "inspections:plan_status": lambda w: {"pk": w.plan.pk},
    "inspections:plan_copy": lambda w: {"pk": w.plan.pk},
    "inspections:plan_units": lambda w: {"pk": w.plan.pk},
    "inspections:plan_areas": lambda w: {"pk": w.plan.pk},
    "inspections:team_detail": lambda w: {"pk": w.plan.pk},
    "inspections:team_edit": lambda w: {"pk": w.plan.pk},
    "inspections:member_create": lambda w: {"pk": w.plan.pk},
    "inspections:schedule": lambda w: {"pk": w.plan.pk},
    "inspections:schedule_calendar": lambda w: {"pk": w.plan.pk},
    "inspections:inspection_create": lambda w: {"pk": w.plan.pk},
    "inspections:criterion_create": lambda w: {"area_pk": w.area.pk},
    "inspections:criterion_edit": lambda w: {"pk": w.criterion.pk},
    "inspections:criterion_retire": lambda w: {"pk": w.criterion.pk},
    "inspections:criterion_delete": lambda w: {"pk": w.criterion.pk},
    "inspections:member_edit": lambda w: {"pk": w.member_x_member.pk},
    "inspections:member_delete": lambda w: {"pk": w.member_x_member.pk},
    "inspections:plan_coverage": lambda w: {"pk": w.plan.pk},
    "inspections:plan_overview": lambda w: {"pk": w.plan.pk},
    "inspections:feed_member": lambda w: {"token": w.member_token.token},
    "inspections:remediation_plan": lambda w: {"pk": w.plan.pk},
    "inspections:history[plan]": lambda w: {"model": "plan", "pk": w.plan.pk},
    "reports:summary_request": lambda w: {"plan_pk": w.plan.pk, "kind": "xlsx"},
    "reports:generated_document": lambda w: {"pk": w.document.pk},
    "reports:generated_download": lambda w: {"pk": w.document.pk},
    "reports:dashboard": lambda w: {"plan_pk": w.plan.pk},
    "reports:summary_note": lambda w: {"plan_pk": w.plan.pk},
    "admin:view_on_site": lambda w: {
        "content_type_id": ContentType.objects.get_for_model(Unit).pk,
        "object_id": w.a.unit.pk,
    },
    "admin:app_list": lambda w: {"app_label": "units"},
    "admin:auth_user_password_change": lambda w: {"id": w.a.user.pk},
    **{
        f"admin:{model}_{page}": _admin_object(model)
        for model in ADMIN_OBJECTS
        for page in ("change", "delete", "history")
    },
}

# Expected status per principal, "GET/POST", in PRINCIPALS order (memb_x, memb_y: member_x, member_y).
# For a sided case this is the row with unit A's objects; unit B's pass swaps the user_a and user_b
# columns. A POST carries an empty body: 200/400 is the form shown again with its errors, 302 a
# refusal with a message (or, for an action that needs no field, the action, rolled back).
TABLE = """
# url name[variant]                                 anon    coord   user_a  user_b  memb_x  lead_x  memb_y  leader
# --- Public pages, home, the unit registry, the user's own pages
login                                               200/200 302/302 302/302 302/302 302/302 302/302 302/302 302/302
logout                                              302/302 405/302 405/302 405/302 405/302 405/302 405/302 405/302
set_language                                        302/302 302/302 302/302 302/302 302/302 302/302 302/302 302/302
password_change                                     302/302 200/200 200/200 200/200 200/200 200/200 200/200 200/200
password_change_done                                302/302 200/405 200/405 200/405 200/405 200/405 200/405 200/405
home                                                302/302 200/405 200/405 200/405 200/405 200/405 200/405 200/405
units:list                                          302/302 200/405 200/405 200/405 200/405 200/405 200/405 200/405
units:detail                                        302/302 200/405 200/405 404/405 200/405 200/405 200/405 200/405
units:detail[commune]                               302/302 200/405 200/405 404/405 200/405 200/405 200/405 200/405
inspections:my_calendar                             302/302 200/302 200/302 200/302 200/302 200/302 200/302 200/302
inspections:feed_member                             200/405 200/405 200/405 200/405 200/405 200/405 200/405 200/405
inspections:feed_unit                               200/405 200/405 200/405 200/405 200/405 200/405 200/405 200/405
# --- The plan, its areas, team and schedule, and the plan-wide tables and documents: read by the
# province-wide roles (every inspector, team Y's too), changed by the coordinator; unit staff reach no plan (404)
inspections:plan_list                               302/302 200/405 200/405 200/405 200/405 200/405 200/405 200/405
inspections:plan_create                             302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
inspections:plan_detail                             302/302 200/405 404/405 404/405 200/405 200/405 200/405 200/405
inspections:plan_edit                               302/302 200/200 404/404 404/404 403/403 403/403 403/403 403/403
inspections:plan_status                             302/302 405/302 405/404 405/404 405/403 405/403 405/403 405/403
inspections:plan_copy                               302/302 405/302 405/404 405/404 405/403 405/403 405/403 405/403
inspections:plan_units                              302/302 200/200 404/404 404/404 200/403 200/403 200/403 200/403
inspections:plan_areas                              302/302 200/405 404/405 404/405 200/405 200/405 200/405 200/405
inspections:team_detail                             302/302 200/405 404/405 404/405 200/405 200/405 200/405 200/405
inspections:team_edit                               302/302 200/200 404/404 404/404 403/403 403/403 403/403 403/403
inspections:member_create                           302/302 200/200 404/404 404/404 403/403 403/403 403/403 403/403
inspections:schedule                                302/302 200/405 404/405 404/405 200/405 200/405 200/405 200/405
inspections:schedule_calendar                       302/302 200/405 404/405 404/405 200/405 200/405 200/405 200/405
inspections:inspection_create                       302/302 200/200 404/404 404/404 403/403 403/403 403/403 403/403
inspections:criterion_create                        302/302 200/200 404/404 404/404 403/403 403/403 403/403 403/403
inspections:criterion_edit                          302/302 200/200 404/404 404/404 403/403 403/403 403/403 403/403
inspections:criterion_retire                        302/302 405/302 405/404 405/404 405/403 405/403 405/403 405/403
inspections:criterion_delete                        302/302 405/302 405/404 405/404 405/403 405/403 405/403 405/403
inspections:member_edit                             302/302 200/200 404/404 404/404 403/403 403/403 403/403 403/403
inspections:member_delete                           302/302 405/302 405/404 405/404 405/403 405/403 405/403 405/403
inspections:plan_coverage                           302/302 200/405 404/405 404/405 200/405 200/405 200/405 200/405
inspections:plan_overview                           302/302 200/405 404/405 404/405 200/405 200/405 200/405 200/405
inspections:remediation_plan                        302/302 200/405 404/405 404/405 200/405 200/405 200/405 200/405
inspections:remediation_list                        302/302 200/405 200/405 200/405 200/405 200/405 200/405 200/405
reports:dashboard_latest                            302/302 302/405 404/405 404/405 302/405 302/405 302/405 302/405
reports:dashboard                                   302/302 200/405 404/405 404/405 200/405 200/405 200/405 200/405
reports:summary_note                                302/302 200/400 404/404 404/404 403/403 403/403 403/403 403/403
reports:summary_request                             302/302 405/302 405/404 405/404 405/302 405/302 405/302 405/302
reports:generated_document                          302/302 200/405 404/405 404/405 200/405 200/405 200/405 200/405
reports:generated_download                          302/302 200/405 404/405 404/405 200/405 200/405 200/405 200/405
# --- A visit: read by the coordinator, leadership, the inspectors going on it and the unit itself;
# team Y's member and unit B get 404, a reader who may not act 403
inspections:inspection_detail                       302/302 200/405 200/405 404/405 200/405 200/405 404/405 200/405
inspections:inspection_edit                         302/302 200/200 403/403 404/404 403/403 403/403 404/404 403/403
inspections:inspection_reschedule                   302/302 200/200 403/403 404/404 403/403 403/403 404/404 403/403
inspections:inspection_acknowledge                  302/302 405/302 405/403 405/404 405/403 405/403 405/404 405/403
inspections:notice_preview                          302/302 200/405 200/405 404/405 200/405 200/405 404/405 200/405
inspections:notice_send                             302/302 405/302 405/403 405/404 405/403 405/403 405/404 405/403
inspections:notice_download                         302/302 200/405 200/405 404/405 200/405 200/405 404/405 200/405
inspections:notice_download[other-unit-notice]      302/302 404/405 404/405 404/405 404/405 404/405 404/405 404/405
inspections:inspection_reports                      302/302 200/403 200/200 404/404 200/403 200/403 404/404 200/403
inspections:paper_copies_add                        302/302 405/302 405/403 405/404 405/403 405/403 405/404 405/403
inspections:inspection_appendix                     302/302 200/403 200/200 404/404 200/403 200/403 404/404 200/403
inspections:appendix_template                       302/302 200/405 200/405 404/405 200/405 200/405 404/405 200/405
inspections:submission_download                     302/302 200/405 200/405 404/405 200/405 200/405 404/405 200/405
reports:dossier                                     302/302 200/405 403/405 404/405 200/405 200/405 404/405 200/405
# --- Self-inspection: read by the province-wide roles and the unit (the commune's by its district);
# written by the unit's own staff only. Its files: the same readers (inspectors read every self-inspection)
inspections:self_inspection                         302/302 200/405 200/405 404/405 200/405 200/405 200/405 200/405
inspections:self_inspection[commune]                302/302 200/405 200/405 404/405 200/405 200/405 200/405 200/405
inspections:self_inspection_upload                  302/302 405/403 405/400 405/404 405/403 405/403 405/403 405/403
inspections:self_inspection_unit_add                302/302 405/403 405/400 405/404 405/403 405/403 405/403 405/403
inspections:self_inspection_finding_add             302/302 405/403 405/400 405/404 405/403 405/403 405/403 405/403
inspections:submission_download[self-inspection]    302/302 200/405 200/405 404/405 200/405 200/405 200/405 200/405
# --- Findings, evidence, divisions and the one-stop checklist: written by the members going on the
# visit (the conclusion is issued, so their writes are refused: 302 or 400 with a message)
inspections:visit_findings                          302/302 200/405 200/405 404/405 200/405 200/405 404/405 200/405
inspections:visit_finding_add                       302/302 405/403 405/403 405/404 405/400 405/400 405/404 405/403
inspections:visit_finding_edit                      302/302 403/403 403/403 404/404 200/400 200/400 404/404 403/403
inspections:visit_finding_delete                    302/302 405/403 405/403 405/404 405/302 405/302 405/404 405/403
inspections:visit_divisions                         302/302 405/403 405/403 405/404 405/400 405/400 405/404 405/403
inspections:visit_checklist                         302/302 405/403 405/403 405/404 405/400 405/400 405/404 405/403
inspections:checklist_to_shortcoming                302/302 405/403 405/403 405/404 405/302 405/302 405/404 405/403
inspections:evidence_download                       302/302 200/405 200/405 404/405 200/405 200/405 404/405 200/405
inspections:evidence_download[remediation]          302/302 200/405 200/405 404/405 200/405 200/405 404/405 200/405
# --- The conclusion: written by team X's lead only; the unit reads its issued revisions
inspections:conclusion                              302/302 200/405 200/405 404/405 200/405 200/405 404/405 200/405
inspections:conclusion_start                        302/302 405/403 405/403 405/404 405/403 405/302 405/404 405/403
inspections:conclusion_save                         302/302 405/403 405/403 405/404 405/403 405/400 405/404 405/403
inspections:conclusion_refill                       302/302 405/403 405/403 405/404 405/403 405/302 405/404 405/403
inspections:action_add                              302/302 405/403 405/403 405/404 405/403 405/400 405/404 405/403
inspections:action_delete                           302/302 405/403 405/403 405/404 405/403 405/302 405/404 405/403
inspections:action_delete[other-unit-action]        302/302 405/403 405/403 405/404 405/403 405/404 405/404 405/403
inspections:conclusion_issue                        302/302 405/403 405/403 405/404 405/403 405/302 405/404 405/403
inspections:conclusion_reopen                       302/302 405/403 405/403 405/404 405/403 405/400 405/404 405/403
inspections:conclusion_revision                     302/302 200/405 200/405 404/405 200/405 200/405 404/405 200/405
reports:conclusion_pdf                              302/302 200/405 200/405 404/405 200/405 200/405 404/405 200/405
reports:conclusion_xlsx                             302/302 200/405 200/405 404/405 200/405 200/405 404/405 200/405
reports:conclusion_docx                             302/302 200/405 200/405 404/405 200/405 200/405 404/405 200/405
# --- Remediation: the unit reports, the coordinator reviews (the request is reported: review is open)
inspections:remediation_detail                      302/302 200/405 200/405 404/405 200/405 200/405 404/405 200/405
inspections:remediation_report                      302/302 405/403 405/400 405/404 405/403 405/403 405/404 405/403
inspections:remediation_review                      302/302 405/400 405/403 405/404 405/403 405/403 405/404 405/403
# --- The audit trail: the coordinator only (403 for every other role, whichever unit)
inspections:history[inspection]                     302/302 200/405 403/405 403/405 403/405 403/405 403/405 403/405
inspections:history[finding]                        302/302 200/405 403/405 403/405 403/405 403/405 403/405 403/405
inspections:history[conclusion]                     302/302 200/405 403/405 403/405 403/405 403/405 403/405 403/405
inspections:history[action]                         302/302 200/405 403/405 403/405 403/405 403/405 403/405 403/405
inspections:history[submission]                     302/302 200/405 403/405 403/405 403/405 403/405 403/405 403/405
inspections:history[evidence]                       302/302 200/405 403/405 403/405 403/405 403/405 403/405 403/405
inspections:history[plan]                           302/302 200/405 403/405 403/405 403/405 403/405 403/405 403/405
# --- The admin (/quan-tri/): staff only - the coordinator, within the role's model permissions;
# 403 for every other user, the login page for anonymous
admin:index                                         302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:login                                         302/302 302/302 403/403 403/403 403/403 403/403 403/403 403/403
admin:logout                                        302/302 405/302 403/403 403/403 403/403 403/403 403/403 403/403
admin:password_change                               302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:password_change_done                          302/302 200/405 403/403 403/403 403/403 403/403 403/403 403/403
admin:autocomplete                                  302/302 403/405 403/403 403/403 403/403 403/403 403/403 403/403
admin:jsi18n                                        302/302 200/405 403/403 403/403 403/403 403/403 403/403 403/403
admin:auth_group_changelist                         302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:auth_group_add                                302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:axes_accessattempt_changelist                 302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:axes_accessattempt_add                        302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:axes_accesslog_changelist                     302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:axes_accesslog_add                            302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:axes_accessfailurelog_changelist              302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:axes_accessfailurelog_add                     302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:django_tasks_database_dbtaskresult_changelist 302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:django_tasks_database_dbtaskresult_add        302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:units_unit_changelist                         302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:units_unit_add                                302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:units_user_changelist                         302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:units_user_add                                302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:inspections_appendixfigure_changelist         302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:inspections_appendixfigure_add                302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:inspections_appendixrule_changelist           302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:inspections_appendixrule_add                  302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:view_on_site                                  302/302 302/302 403/403 403/403 403/403 403/403 403/403 403/403
admin:app_list                                      302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:auth_user_password_change                     302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:auth_group_change                             302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:auth_group_delete                             302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:auth_group_history                            302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:axes_accessattempt_change                     302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:axes_accessattempt_delete                     302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:axes_accessattempt_history                    302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:axes_accesslog_change                         302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:axes_accesslog_delete                         302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:axes_accesslog_history                        302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:axes_accessfailurelog_change                  302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:axes_accessfailurelog_delete                  302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:axes_accessfailurelog_history                 302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:django_tasks_database_dbtaskresult_change     302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:django_tasks_database_dbtaskresult_delete     302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:django_tasks_database_dbtaskresult_history    302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:units_unit_change                             302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:units_unit_delete                             302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:units_unit_history                            302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:units_user_change                             302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:units_user_delete                             302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:units_user_history                            302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:inspections_appendixfigure_change             302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
# a figure units have reported values for may not be deleted (PROTECT): 403 for the coordinator too
admin:inspections_appendixfigure_delete             302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403
admin:inspections_appendixfigure_history            302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:inspections_appendixrule_change               302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:inspections_appendixrule_delete               302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
admin:inspections_appendixrule_history              302/302 200/200 403/403 403/403 403/403 403/403 403/403 403/403
"""


def parse_table(text: str) -> dict[str, dict[str, tuple[int, int]]]:
    rows = {}
    for line in text.strip().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, *cells = line.rsplit(maxsplit=len(PRINCIPALS))
        assert len(cells) == len(PRINCIPALS), line
        assert key not in rows, f"two rows for {key}"
        rows[key] = {
            principal: tuple(int(code) for code in cell.split("/"))
            for principal, cell in zip(PRINCIPALS, cells, strict=True)
        }
    return rows


EXPECTED = parse_table(TABLE)


def base_name(key: str) -> str:
    return key.split("[", 1)[0]


def all_cases(w) -> list[tuple[str, str, str]]:
    """(case key, side label, URL) for every case: sided ones once per unit."""
    cases = []
    for key, kwargs in SIDED.items():
        for label, side in (("A", w.a), ("B", w.b)):
            cases.append((key, label, reverse(base_name(key), kwargs=kwargs(w, side))))
    for name, pattern in named_patterns():
        if name in PLAIN or any(base_name(k) == name for k in {**SIDED, **PLAIN}):
            continue
        if not pattern.pattern.regex.groupindex:
            cases.append((name, "-", reverse(name)))
    for key, kwargs in PLAIN.items():
        cases.append((key, "-", reverse(base_name(key), kwargs=kwargs(w))))
    return cases


def expected_for(key: str, side: str) -> dict[str, tuple[int, int]]:
    row = dict(EXPECTED[key])
    if side == "B":
        row["user_a"], row["user_b"] = row["user_b"], row["user_a"]
    return row


# What each principal must never read: the other unit's marker, whole; for team Y, either visit's.
FORBIDDEN = {
    "user_a": [MARK_B],
    "user_b": [MARK_A],
    "member_y": [f"{MARK_A}-visit", f"{MARK_B}-visit"],
}
ALL_MARKERS = [f"{mark}-{part}" for mark in (MARK_A, MARK_B) for part in ("unit", "self", "visit")]
# A feed answers to its token, not to the session: whoever holds unit A's token reads A's calendar.
MARKER_EXEMPT = {"inspections:feed_unit", "inspections:feed_member"}


def _clients(w) -> dict[str, tuple[Client, SimpleCookie]]:
    clients = {}
    for principal in PRINCIPALS:
        client = Client()
        if principal != "anon":
            client.force_login(w.users[principal])
        clients[principal] = (client, SimpleCookie(client.cookies.output(header="", sep="\n")))
    return clients


def _close_unread(response) -> None:
    """Close a streaming response without reading it. Closing sends request_finished, which would
    close the database connection in the middle of the test's transaction: the test client keeps
    that signal off when it closes a response itself, and so does this."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def _fetch(client: Client, cookies: SimpleCookie, method: str, url: str):
    """(status or exception name, searchable bytes, Location) of one request, rolled back after."""
    client.cookies = SimpleCookie(cookies.output(header="", sep="\n"))
    with transaction.atomic():
        try:
            response = getattr(client, method)(url)
        except Exception as error:  # a server error is a mismatch to report, not a stop
            transaction.set_rollback(True)
            return f"{type(error).__name__}: {error}"[:200], b"", ""
        if response.streaming:  # a file or the dossier: its headers are read, its bytes are not made
            body = b""
            _close_unread(response)
        else:
            body = response.content
        headers = " ".join(f"{k}: {v}" for k, v in response.items()).encode()
        transaction.set_rollback(True)
    return response.status_code, body + b"\n" + headers, response.get("Location", "")


def run_matrix(w) -> SimpleNamespace:
    """Every case × principal × method against its row."""
    result = SimpleNamespace(requests=0, mismatches=[], leaks=[], seen={p: set() for p in PRINCIPALS})
    started, cpu_started = time.monotonic(), time.process_time()
    clients = _clients(w)
    result.cases = all_cases(w)
    # Every refusal is logged with its traceback; 3000 of them would cost a third of the run.
    logging.disable(logging.WARNING)
    try:
        for key, side, url in result.cases:
            if key in EXPECTED:
                _run_case(clients, key, side, url, result)
            else:
                result.mismatches.append(f"{key}: no row in TABLE")
    finally:
        logging.disable(logging.NOTSET)
    result.seconds, result.cpu_seconds = time.monotonic() - started, time.process_time() - cpu_started
    return result


def _run_case(clients, key, side, url, result) -> None:
    """One URL for every principal, GET and POST: what differs from its row, and what each one read."""
    expected = expected_for(key, side)
    for principal in PRINCIPALS:
        client, cookies = clients[principal]
        for index, method in enumerate(("get", "post")):
            status, body, location = _fetch(client, cookies, method, url)
            result.requests += 1
            where = f"{key} (side {side}) {principal} {method.upper()} {url}"
            want = expected[principal][index]
            if status != want:
                result.mismatches.append(f"{where}: expected {want}, got {status}")
            elif (
                principal == "anon"
                and status == 302
                and base_name(key) not in PUBLIC
                and not location.startswith((LOGIN + "?next=", ADMIN_LOGIN + "?next="))
            ):
                result.mismatches.append(f"{where}: sent to {location}, not to the login page")
            if base_name(key) in MARKER_EXEMPT:
                continue
            found = {marker for marker in ALL_MARKERS if marker.encode() in body}
            result.seen[principal] |= found
            result.leaks.extend(
                f"{where}: shows {marker}" for marker in FORBIDDEN.get(principal, ()) if marker.encode() in body
            )


def test_every_url_pattern_has_a_case_and_a_row():
    names = {name for name, _pattern in named_patterns()}
    keys = set(SIDED) | set(PLAIN)
    no_case = sorted(
        name
        for name, pattern in named_patterns()
        if pattern.pattern.regex.groupindex and not any(base_name(key) == name for key in keys)
    )
    assert not no_case, "URL patterns with arguments but no case (add their kwargs to SIDED or PLAIN): " + ", ".join(
        no_case
    )
    no_row = sorted(name for name in names if not any(base_name(key) == name for key in EXPECTED))
    assert not no_row, "URL patterns without a row in the access matrix (add one to TABLE): " + ", ".join(no_row)
    stale = sorted(key for key in EXPECTED if base_name(key) not in names)
    assert not stale, "rows for URL names that no longer exist: " + ", ".join(stale)
    unused = sorted(key for key in keys if key not in EXPECTED)
    assert not unused, "cases without a row: " + ", ".join(unused)
    rows_without_case = sorted(key for key in EXPECTED if "[" in key and key not in keys)
    assert not rows_without_case, "variant rows without a case: " + ", ".join(rows_without_case)


@pytest.mark.django_db
def test_access_matrix(world, capsys):
    result = run_matrix(world)
    routes = len({base_name(key) for key, _side, _url in result.cases})
    with capsys.disabled():
        print(
            f"\naccess matrix: {routes} URL patterns, {len(result.cases)} cases (unit B's pass and variants "
            f"included) × {len(PRINCIPALS)} principals × 2 methods = {result.requests} requests "
            f"in {result.seconds:.1f} s ({result.cpu_seconds:.1f} s CPU); "
            f"{len(result.mismatches)} mismatches, {len(result.leaks)} marker leaks"
        )
    assert not result.mismatches and not result.leaks, "\n".join(
        [
            f"{len(result.mismatches)} mismatches:",
            *result.mismatches,
            f"{len(result.leaks)} marker leaks:",
            *result.leaks,
        ]
    )
    # The marker check sees what it should: each reader finds the markers they may read.
    assert {f"{MARK_A}-unit", f"{MARK_A}-self", f"{MARK_A}-visit"} <= result.seen["user_a"]
    assert {f"{MARK_B}-unit", f"{MARK_B}-self", f"{MARK_B}-visit"} <= result.seen["user_b"]
    assert {f"{MARK_A}-visit", f"{MARK_B}-visit"} <= result.seen["member_x"]
    assert {f"{MARK_A}-unit", f"{MARK_A}-self", f"{MARK_B}-self"} <= result.seen["member_y"]
