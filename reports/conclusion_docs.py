"""The conclusion notice (Thông báo kết luận kiểm tra) of one issued revision: PDF, Word and Excel.

`conclusion_context` reads everything once; the renderers are plain functions of that dict and return
bytes. The text comes from the revision's snapshot, so a revision's document never changes; only the
workbook adds the live remediation status of each request.

The wording is plain Vietnamese, as in the PDF templates: documents are always issued in Vietnamese,
whatever language the session is in. `conclusion_body` writes it once for both the PDF and the Word
file, so the office edits in Word exactly what the PDF shows.
"""

import datetime
from io import BytesIO

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.properties import PageSetupProperties

from inspections.models import Finding, InspectionTeam, RemediationAction, TeamMember
from reports import docx_layout as layout
from reports.pdf import format_date, place_date_line, render_pdf, short_issuing_body
from units.models import Unit

TEAM_NAME = "ĐOÀN KIỂM TRA CCHC"
DOCUMENT_NUMBER = "Số:      /TB-ĐKT"
# Blanks to fill by hand: non-breaking, so neither HTML nor Word collapses them.
BLANK = "\u00a0" * 6
KIND_LABELS = {Finding.Kind.STRENGTH: "Ưu điểm", Finding.Kind.SHORTCOMING: "Tồn tại, hạn chế"}
REQUEST_LABEL = "Yêu cầu khắc phục"
AREA_PARTS = [("strengths", "Ưu điểm"), ("shortcomings", "Tồn tại, hạn chế"), ("causes", "Nguyên nhân")]

SHEET_TITLE = "Kết luận"
XLSX_HEADERS = ["STT", "Nội dung kiểm tra", "Loại", "Nội dung", "Hạn hoàn thành", "Trạng thái", "Quá hạn"]
XLSX_WIDTHS = [6, 38, 18, 70, 15, 20, 10]
XLSX_DATE_FORMAT = "DD/MM/YYYY"
DROPPED_LABEL = "Không còn trong kết luận hiện hành"


# --- Gathering -------------------------------------------------------------------------------


def _iso_date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _member_line(member: TeamMember) -> str:
    """ "Nguyễn Văn A, Trưởng phòng Sở Tài chính, Thành viên" (the agency once, even if in the position)."""
    agency = member.agency.short_name
    position = member.position.strip()
    if not position:
        position = agency
    elif agency.lower() not in position.lower():
        position = f"{position} {agency}"
    return f"{member.name}, {position}, {member.get_role_display()}"


def _signer_name(revision, team: InspectionTeam | None) -> str:
    """Who signs: the lead who issued this revision, as named on the team."""
    if team is not None:
        issuer = next((m for m in team.members.all() if m.user_id == revision.issued_by_id), None)
        if issuer is not None:
            return issuer.name
    user = revision.issued_by
    return f"{user.last_name} {user.first_name}".strip() or user.username


def conclusion_context(revision) -> dict:
    """Everything the three documents print, read once from the revision and its visit."""
    conclusion = revision.conclusion
    inspection = conclusion.inspection
    plan = inspection.plan
    unit = inspection.unit
    team = InspectionTeam.objects.filter(plan=plan).prefetch_related("members__user").first()
    snapshot = revision.snapshot
    unit_name = snapshot.get("unit") or unit.name
    members = sorted(
        inspection.members.select_related("agency", "user"),
        key=lambda m: (TeamMember.ROLE_ORDER.index(m.role), m.pk),
    )
    areas = snapshot.get("areas", [])
    area_titles = {a["number"]: a["title"] for a in areas}
    return {
        "year": plan.year,
        "number": revision.number,
        "replaces": revision.number - 1 if revision.number > 1 else None,
        "issuing_body": short_issuing_body(plan.issuing_body),
        "team_name": TEAM_NAME,
        "document_number": DOCUMENT_NUMBER,
        "place_date": place_date_line(plan.place, timezone.localdate(revision.issued_at)),
        "issued_on": timezone.localdate(revision.issued_at),
        "title": f"Kết luận kiểm tra công tác cải cách hành chính năm {plan.year} tại {unit_name}",
        "unit_name": unit_name,
        "unit_code": unit.code,
        "is_local_government": unit.kind in (Unit.Kind.DISTRICT, Unit.Kind.COMMUNE),
        "plan_number_symbol": plan.number_symbol,
        "plan_issue_date": plan.issue_date,
        "decision_number": team.decision_number if team else "",
        "decision_date": team.decision_date if team else None,
        "visit_date": _iso_date(snapshot.get("date")) or inspection.date,
        "members": [_member_line(m) for m in members],
        "checked_divisions": [u.name for u in inspection.checked_divisions.order_by("sort_order", "name")],
        "lead_name": _signer_name(revision, team),
        "general_assessment": _lines(snapshot.get("general_assessment", "")),
        "areas": [
            {
                "number": a["number"],
                "title": a["title"],
                "parts": [(label, _lines(a.get(key, ""))) for key, label in AREA_PARTS if _lines(a.get(key, ""))],
            }
            for a in areas
        ],
        "findings": [
            {
                "area": f["area"],
                "area_title": area_titles.get(f["area"], ""),
                "kind": f["kind"],
                "kind_label": KIND_LABELS.get(f["kind"], f["kind"]),
                "text": f["text"],
            }
            for f in snapshot.get("findings", [])
        ],
        "actions": [{"text": a["text"], "deadline": _iso_date(a["deadline"])} for a in snapshot.get("actions", [])],
        "remediation_deadline": plan.remediation_deadline,
        "recipients": [
            f"{unit_name};",
            "Ủy ban nhân dân tỉnh (để b/c);",
            "Sở Nội vụ;",
            "Thành viên Đoàn Kiểm tra;",
            "Lưu: VT, ĐKT.",
        ],
    }


# --- The text, once for the PDF and the Word file ---------------------------------------------


def _date_or_blank(day: datetime.date | None, year: int) -> str:
    return format_date(day) if day else f"{BLANK}/{BLANK}/{year}"


def _sentence(text: str) -> str:
    return text.rstrip(" .;,:")


def conclusion_body(context: dict) -> list[tuple[str, str]]:
    """The body as (style, text) blocks: "para" a paragraph, "intro" one that opens a list (kept with
    it), "h1"/"h2" bold headings, "h3" a bold italic heading, "label" an italic lead-in."""
    year, unit = context["year"], context["unit_name"]
    blocks = [
        (
            "para",
            f"Căn cứ Kế hoạch số {context['plan_number_symbol']} ngày "
            f"{_date_or_blank(context['plan_issue_date'], year)} của Ủy ban nhân dân tỉnh về kiểm tra "
            f"công tác cải cách hành chính năm {year};",
        )
    ]
    if context["decision_number"]:
        day = f" ngày {format_date(context['decision_date'])}" if context["decision_date"] else ""
        blocks.append(
            (
                "para",
                f"Căn cứ Quyết định số {context['decision_number']}{day} của Ủy ban nhân dân tỉnh về việc "
                f"thành lập Đoàn Kiểm tra công tác cải cách hành chính năm {year};",
            )
        )
    visit = (
        f"Ngày {format_date(context['visit_date'])}, Đoàn Kiểm tra công tác cải cách hành chính tỉnh đã tiến hành "
        f"kiểm tra việc thực hiện công tác cải cách hành chính năm {year} tại {unit}"
    )
    if context["members"]:
        blocks.append(("intro", f"{visit}. Thành phần Đoàn Kiểm tra gồm:"))
        last = len(context["members"]) - 1
        blocks += [("para", f"- {line}{'.' if i == last else ';'}") for i, line in enumerate(context["members"])]
    else:
        blocks.append(("para", f"{visit}."))
    steps = [f"nghe {unit} báo cáo kết quả thực hiện công tác cải cách hành chính"]
    places = list(context["checked_divisions"])
    if context["is_local_government"]:
        places.append("Bộ phận tiếp nhận và trả kết quả")
    if places:
        steps.append("kiểm tra trực tiếp tại " + ", ".join(places))
    steps.append("trao đổi, thảo luận những khó khăn, vướng mắc")
    blocks.append(("para", f"Sau khi {', '.join(steps)}, Trưởng Đoàn Kiểm tra kết luận như sau:"))

    blocks.append(("h1", "I. KẾT QUẢ KIỂM TRA"))
    blocks.append(("h2", "1. Đánh giá chung"))
    blocks += [("para", line) for line in context["general_assessment"]]
    areas = [area for area in context["areas"] if area["parts"]]
    if areas:
        blocks.append(("h2", "2. Kết quả kiểm tra theo từng nội dung"))
        for area in areas:
            blocks.append(("h3", f"2.{area['number']}. {area['title']}"))
            for letter, (label, lines) in zip("abc", area["parts"], strict=False):
                blocks.append(("label", f"{letter}) {label}:"))
                blocks += [("para", line) for line in lines]

    blocks.append(("h1", "II. YÊU CẦU"))
    if context["actions"]:
        blocks.append(("intro", f"Đề nghị {unit} thực hiện các nội dung sau:"))
        for i, action in enumerate(context["actions"], start=1):
            text = _sentence(" ".join(_lines(action["text"])))
            blocks.append(("para", f"{i}. {text}, hoàn thành trước ngày {format_date(action['deadline'])}."))
        blocks.append(
            (
                "para",
                f"{unit} báo cáo kết quả khắc phục các tồn tại, hạn chế nêu trên về Đoàn Kiểm tra (qua Sở Nội vụ) "
                f"trước ngày {format_date(context['remediation_deadline'])}.",
            )
        )
    else:
        blocks.append(
            (
                "para",
                f"Đề nghị {unit} tiếp tục duy trì, phát huy những kết quả đã đạt được trong công tác "
                "cải cách hành chính.",
            )
        )
    blocks.append(("para", f"Đoàn Kiểm tra thông báo để {unit} biết, thực hiện./."))
    return blocks


# --- PDF -------------------------------------------------------------------------------------


def conclusion_pdf(context: dict) -> bytes:
    return render_pdf("reports/pdf/conclusion_notice.html", {**context, "body": conclusion_body(context)})


# --- Excel -----------------------------------------------------------------------------------


def _live_action(action: dict, live: list) -> RemediationAction | None:
    """The request as it stands now: the same text and deadline (each live action matched once)."""
    for candidate in live:
        if candidate.text.strip() == action["text"].strip() and candidate.deadline == action["deadline"]:
            live.remove(candidate)
            return candidate
    return None


def conclusion_xlsx(context: dict, actions) -> bytes:
    """One sheet: the findings as issued, then the requests with their live status and area (from
    `actions`, the conclusion's RemediationAction rows now, with finding__area selected)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    workbook.properties.title = context["title"]
    workbook.properties.creator = "cchc-inspection"

    bold = Font(bold=True)
    wrapped = Alignment(vertical="top", wrap_text=True)
    centered = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    last_column = len(XLSX_HEADERS)

    sheet.cell(row=1, column=1, value=f"KẾT LUẬN KIỂM TRA CÔNG TÁC CẢI CÁCH HÀNH CHÍNH NĂM {context['year']}")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    subtitle = (
        f"{context['unit_name']} - kiểm tra ngày {format_date(context['visit_date'])} - "
        f"ban hành lần {context['number']} ngày {format_date(context['issued_on'])}"
    )
    sheet.cell(row=2, column=1, value=subtitle).font = Font(italic=True)
    for row in (1, 2):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)

    header_row = 3
    for column, text in enumerate(XLSX_HEADERS, start=1):
        cell = sheet.cell(row=header_row, column=column, value=text)
        cell.font = bold
        cell.alignment = centered
        cell.fill = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")
        cell.border = border

    rows = [
        [f"{f['area']}. {f['area_title']}".strip(". "), f["kind_label"], f["text"], None, None, None]
        for f in context["findings"]
    ]
    live = list(actions)
    for action in context["actions"]:
        current = _live_action(action, live)
        area, status, overdue = None, DROPPED_LABEL, None
        if current is not None:
            status, overdue = str(RemediationAction.Status(current.status).label), current.is_overdue
            if current.finding_id:
                area = str(current.finding.area)
        overdue_text = None if overdue is None else ("Có" if overdue else "Không")
        rows.append([area, REQUEST_LABEL, action["text"], action["deadline"], status, overdue_text])

    for i, values in enumerate(rows, start=1):
        row = header_row + i
        for column, value in enumerate([i, *values], start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.alignment = wrapped
            cell.border = border
        sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center", vertical="top")
        sheet.cell(row=row, column=5).number_format = XLSX_DATE_FORMAT

    for column, width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=header_row, column=column).column_letter].width = width
    last_row = header_row + max(len(rows), 1)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.auto_filter.ref = f"A{header_row}:{sheet.cell(row=last_row, column=last_column).coordinate}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- Word ------------------------------------------------------------------------------------


def conclusion_docx(context: dict) -> bytes:
    """The notice as a Word file with the PDF's sections, for the office to edit before signing."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    layout.page_numbers(section)

    normal = document.styles["Normal"]
    normal.font.name = layout.FONT
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), layout.FONT)
    document.core_properties.title = f"Thông báo {context['title'][0].lower()}{context['title'][1:]}"
    document.core_properties.author = "cchc-inspection"

    center = WD_ALIGN_PARAGRAPH.CENTER
    layout.document_header(
        document,
        issuing_body=context["issuing_body"],
        authority=context["team_name"],
        number=context["document_number"],
        place_date=context["place_date"],
        kind="THÔNG BÁO",
    )
    layout.paragraph(document, context["title"], 14, align=center, bold=True)
    if context["replaces"]:
        replaces = f"(Thay thế Thông báo kết luận đã ban hành lần {context['replaces']})"
        layout.paragraph(document, replaces, 14, align=center, italic=True)
    layout.rule(document, 50, layout.TEXT_WIDTH_MM).paragraph_format.space_after = Pt(12)

    styles = {"para": {}, "intro": {}, "h1": {"bold": True}, "h2": {"bold": True}, "h3": {"bold": True, "italic": True}}
    styles["label"] = {"italic": True}
    for style, text in conclusion_body(context):
        paragraph = layout.paragraph(document, text, 14, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, **styles[style])
        paragraph.paragraph_format.first_line_indent = Mm(10)
        paragraph.paragraph_format.keep_with_next = style != "para"

    footer = layout.layout_table(document, [layout.TEXT_WIDTH_MM * 0.45, layout.TEXT_WIDTH_MM * 0.55])
    recipients = layout.cell(footer, 0, 0)
    layout.paragraph(recipients, "Nơi nhận:", 12, bold=True, italic=True).paragraph_format.space_before = Pt(12)
    for line in context["recipients"]:
        layout.paragraph(recipients, f"- {line}", 11)
    signature = layout.cell(footer, 0, 1)
    layout.paragraph(signature, "TM. ĐOÀN KIỂM TRA", 14, align=center, bold=True).paragraph_format.space_before = Pt(12)
    layout.paragraph(signature, "TRƯỞNG ĐOÀN", 14, align=center, bold=True, after=84)
    layout.paragraph(signature, context["lead_name"], 14, align=center, bold=True)

    output = BytesIO()
    document.save(output)
    return output.getvalue()
