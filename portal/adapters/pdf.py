"""PDF output (fpdf2): simple, text-first documents such as demo letters and, later, questionnaire results."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

# A Unicode font when the machine has one (Debian: fonts-dejavu-core); else the PDF core font (Latin-1).
UNICODE_FONTS = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
]

_REPLACEMENTS = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "€": "EUR "}


def _latin1(text: str) -> str:
    for a, b in _REPLACEMENTS.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def text_pdf(title: str, paragraphs: list[str], *, subtitle: str = "", author: str = "") -> bytes:
    """A one-column A4 PDF with a title and paragraphs (core Helvetica font, Latin-1 text)."""
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(title))
    if author:
        pdf.set_author(_latin1(author))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    if subtitle:
        pdf.set_font("Helvetica", "", 10)
        pdf.set_text_color(80, 80, 80)
        pdf.multi_cell(0, 6, _latin1(subtitle), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    for para in paragraphs:
        pdf.multi_cell(0, 6, _latin1(para), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    return bytes(pdf.output())


def _font(pdf: FPDF) -> tuple[str, bool]:
    """Register a Unicode font if one is installed; returns (family, unicode?)."""
    for regular in UNICODE_FONTS:
        bold = regular.with_name("DejaVuSans-Bold.ttf")
        if regular.exists():
            pdf.add_font("Body", "", str(regular))
            pdf.add_font("Body", "B", str(bold if bold.exists() else regular))
            return "Body", True
    return "Helvetica", False


def questionnaire_pdf(title: str, header: list[tuple[str, str]], sections: list[tuple[str, list[tuple[str, str]]]]) -> bytes:
    """The result of a questionnaire: a header block (office, dossier, client, time, version), then per page
    its questions and answers."""
    pdf = FPDF(format="A4")
    family, uni = _font(pdf)
    text = (lambda t: t) if uni else _latin1
    pdf.set_title(text(title))
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(0, 9, text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(family, "", 10)
    for label, value in header:
        pdf.set_text_color(90, 90, 90)
        pdf.cell(45, 6, text(label))
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(0, 6, text(value), new_x="LMARGIN", new_y="NEXT")
    for section_title, rows in sections:
        pdf.ln(4)
        pdf.set_font(family, "B", 12)
        pdf.multi_cell(0, 7, text(section_title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(200, 200, 200)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(1)
        for question, answer in rows:
            pdf.set_font(family, "", 9)
            pdf.set_text_color(90, 90, 90)
            pdf.multi_cell(0, 5, text(question), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(family, "", 11)
            pdf.set_text_color(0, 0, 0)
            pdf.multi_cell(0, 6, text(answer), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    return bytes(pdf.output())
