"""PDF output (fpdf2): simple, text-first documents such as demo letters and, later, questionnaire results."""

from __future__ import annotations

from fpdf import FPDF

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
