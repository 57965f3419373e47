"""Building blocks for the Word versions of the official documents (python-docx)."""

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FONT = "Times New Roman"
TEXT_WIDTH_MM = 210 - 30 - 15  # A4 less the Decree 30/2020 left and right margins
# The children of <w:pPr> that must come after <w:pBdr> (ECMA-376 order; Word rejects other orders).
PBDR_SUCCESSORS = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
    "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def font(run, size: float, *, bold=False, italic=False, underline=False):
    run.font.name = FONT
    run.font.size = Pt(size)
    # None, not False: the run inherits, and the office's edits keep the style's defaults.
    run.font.bold = bold or None
    run.font.italic = italic or None
    run.font.underline = underline or None
    # Word picks the East Asian font slot for some characters; keep every slot Times New Roman.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    return run


def paragraph(container, text="", size=14, *, align=None, bold=False, italic=False, underline=False, after=0):
    result = container.add_paragraph()
    result.paragraph_format.space_before = Pt(0)
    result.paragraph_format.space_after = Pt(after)
    if align is not None:
        result.alignment = align
    if text:
        font(result.add_run(text), size, bold=bold, italic=italic, underline=underline)
    return result


def rule(container, width_mm: float, cell_width_mm: float):
    """A short centred line (under the issuing body and the title): a bottom border on an empty,
    indented paragraph."""
    result = paragraph(container)
    indent = Mm(max(cell_width_mm - width_mm, 0) / 2)
    result.paragraph_format.left_indent = result.paragraph_format.right_indent = indent
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    result._p.get_or_add_pPr().insert_element_before(borders, *PBDR_SUCCESSORS)
    # An exact, small line height: the line sits just under the text above it.
    result.paragraph_format.line_spacing = Pt(4)
    return result


def layout_table(container, widths_mm: list[float], rows: int = 1):
    table = container.add_table(rows=rows, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # A fixed layout reads the grid's widths; the cells' widths are for other readers.
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell_, width in zip(row.cells, widths_mm, strict=True):
            cell_.width = Mm(width)
    return table


def cell(table, row, column):
    """A cell emptied of its default paragraph, so each line is added explicitly."""
    result = table.cell(row, column)
    for existing in list(result.paragraphs):
        existing._p.getparent().remove(existing._p)
    return result


def page_numbers(section):
    """Page numbers centred in the top margin, not on the first page (as in the PDF)."""
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    header._p.append(field)
    # The field's shown value until Word updates it, in the document's font.
    field.append(font(header.add_run("2"), 13)._r)


def document_header(document, *, issuing_body: str, authority: str, number: str, place_date: str, kind: str):
    """The header of an administrative document (Decree 30/2020): the issuing body and authority
    with a short rule under them, the national title and motto, the number, place and date; then the
    document's kind ("THÔNG BÁO", "BÁO CÁO") centred below."""
    center = WD_ALIGN_PARAGRAPH.CENTER
    left_mm, right_mm = TEXT_WIDTH_MM * 0.38, TEXT_WIDTH_MM * 0.62
    header = layout_table(document, [left_mm, right_mm], rows=2)
    issuer = cell(header, 0, 0)
    paragraph(issuer, issuing_body, 13, align=center)
    paragraph(issuer, authority, 13, align=center, bold=True)
    rule(issuer, 22, left_mm)
    national = cell(header, 0, 1)
    paragraph(national, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13, align=center, bold=True)
    paragraph(national, "Độc lập - Tự do - Hạnh phúc", 14, align=center, bold=True, underline=True)
    paragraph(cell(header, 1, 0), number, 13, align=center).paragraph_format.space_before = Pt(6)
    dated = paragraph(cell(header, 1, 1), place_date, 14, align=center, italic=True)
    dated.paragraph_format.space_before = Pt(6)
    paragraph(document, kind, 14, align=center, bold=True).paragraph_format.space_before = Pt(12)
