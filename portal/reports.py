"""The monthly service report of a client as a PDF (ReportLab, billing's embedded DejaVu
fonts for Cyrillic): volumes, service level per project against its target, abandons, the
peak hour, and QA where the client is shown QA.

The service numbers are the portal's service page for that month (``service_tables``), so
the report and the page never disagree. Written in Russian, the language of the documents.
"""

import datetime as dt
import io
from xml.sax.saxutils import escape

from django.utils import translation
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from billing.exports.pdf import FONT, FONT_BOLD, HEADER_FILL, INK, MARGIN, _styles, register_fonts
from calls.selectors import peak_hours
from contactcenter.periods import month_name_ru
from portal.selectors import local_range, period_days, qa_table, service_tables
from portal.tables import Table
from projects.models import Client

PAGE = landscape(A4)
WIDTH = PAGE[0] - 2 * MARGIN - 12


def report_tables(client: Client, period: dt.date) -> list[Table]:
    """The report's tables, in Russian: service per project, peak hours, QA if shown."""
    projects = list(client.projects.order_by("code"))
    with translation.override("ru"):
        service, missed = service_tables(projects=projects, period="month", day=period)
        peaks = Table(
            name="peaks",
            title="Часы пик (местное время проекта)",
            columns=["Проект", "Поступило", "Час пик", "Звонков в час пик"],
        )
        first, after = period_days("month", period)
        for project in projects:
            start, end = local_range(first, after, project.timezone)
            row = peak_hours(projects=[project], start=start, end=end)["projects"][0]
            hour = row["peak_hour"]
            peaks.add(
                [
                    project.name,
                    row["offered"],
                    "—" if hour is None else f"{hour:02d}:00–{hour + 1:02d}:00",
                    0 if hour is None else row["hours"][hour],
                ]
            )
        tables = [service, peaks]
        if client.portal_show_quality:
            qa = qa_table(projects=projects, year=period.year)
            month = f"{period:%Y-%m}"
            qa.rows, qa.links = (
                [row for row in qa.rows if row[1] == month],
                [link for row, link in zip(qa.rows, qa.links, strict=True) if row[1] == month],
            )
            tables.append(qa)
        missed.note = f"Интервалов ниже цели: {len(missed.rows)}"
    return tables


def _pdf_table(table: Table, styles) -> list:
    header = [Paragraph(escape(str(column)), styles["bold"]) for column in table.columns]
    body = [[Paragraph(escape(str(cell)), styles["base"]) for cell in row] for row in table.rows]
    if not body:
        body = [[Paragraph("Нет данных", styles["small"])] + [""] * (len(header) - 1)]
    width = WIDTH / len(header)
    grid = PdfTable([header, *body], colWidths=[width] * len(header), repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("GRID", (0, 0), (-1, -1), 0.5, INK),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [Paragraph(escape(str(table.title)), styles["bold"]), Spacer(1, 2 * mm), grid]


def service_report_pdf(client: Client, period: dt.date) -> bytes:
    register_fonts()
    styles = _styles()
    title = f"Отчёт об обслуживании за {month_name_ru(period)}"
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=title,
    )  # fmt: skip
    story = [
        Paragraph(escape(title), styles["title"]),
        Paragraph(escape(f"{client.legal_name} ({client.code})"), styles["base"]),
        Spacer(1, 5 * mm),
    ]
    tables = report_tables(client, period)
    for table in tables:
        story += [*_pdf_table(table, styles), Spacer(1, 5 * mm)]
    document.build(story)
    return buffer.getvalue()
