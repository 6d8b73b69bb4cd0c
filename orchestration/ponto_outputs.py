"""The documents Brazilian law requires of a time-keeping program (Portaria MTP 671/2021): the AEJ
(art. 83) and the Espelho de Ponto (art. 84).

Their content comes from the database functions ``api.aej`` and ``api.espelho`` (migration 0010),
the same ones PostgREST serves, run here under the caller's role so row-level security applies; this
module only writes the AEJ's bytes to a file and renders the Espelho as PDF, with ReportLab: a mature,
pure-Python library (no system libraries, unlike WeasyPrint's Pango/Cairo; no separate binary, unlike
Typst), whose text stays extractable for tests and screen readers.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from orchestration.errors import PlatformError
from orchestration.runtime.database import ConnectionInfo

WEEKDAYS_PT = ("seg", "ter", "qua", "qui", "sex", "sáb", "dom")
MARKERS_PT = {"E": "entrada", "S": "saída", "D": "desconsiderada"}
SOURCES_PT = {
    "O": "original (REP)",
    "I": "incluída",
    "P": "pré-assinalada",
    "T": "outra fonte",
    "X": "exceção",
}


@contextmanager
def acting_as(
    admin: ConnectionInfo, role: str, employee_id: str | None = None, subject: str = "cli"
) -> Iterator[psycopg.Connection]:
    """A connection that runs as a request role with JWT-like claims, as PostgREST would."""
    claims = {"role": role, "sub": subject, **({"employee_id": employee_id} if employee_id else {})}
    with admin.connect() as conn, conn.transaction():
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(role)))
        conn.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
        yield conn


def _database_error(error: psycopg.Error) -> PlatformError:
    return PlatformError(error.diag.message_primary or str(error))


def aej(admin: ConnectionInfo, date_from: dt.date, date_to: dt.date, employee_id: str | None = None) -> bytes:
    """The AEJ file of a period (ISO-8859-1 bytes, CR LF), as HR reads it."""
    try:
        with acting_as(admin, "hr") as conn:
            row = conn.execute("select api.aej(%s, %s, %s)", (date_from, date_to, employee_id)).fetchone()
    except psycopg.Error as error:
        raise _database_error(error) from None
    assert row is not None
    return bytes(row[0])


def aej_file_name(content: bytes) -> str:
    """AEJ_<idtEmpregador>_<dataInicialAej>_<dataFinalAej>.txt, from the file's own header."""
    header = content.split(b"\r\n", 1)[0].decode("latin-1").split("|")
    return f"AEJ_{header[2]}_{header[6].replace('-', '')}_{header[7].replace('-', '')}.txt"


def espelho_data(conn: psycopg.Connection, employee_id: str, month: dt.date) -> dict[str, Any]:
    try:
        row = conn.execute("select api.espelho(%s, %s)", (employee_id, month)).fetchone()
    except psycopg.Error as error:
        raise _database_error(error) from None
    assert row is not None
    return dict(row[0])


def employees_of_month(conn: psycopg.Connection, month: dt.date) -> list[str]:
    rows = conn.execute(
        "select distinct employee_id from api.timesheet_daily"
        " where work_date >= date_trunc('month', %s::date)"
        " and work_date < date_trunc('month', %s::date) + interval '1 month' order by 1",
        (month, month),
    ).fetchall()
    return [row[0] for row in rows]


def export_espelhos(
    admin: ConnectionInfo, month: dt.date, out: Path, employee_id: str | None = None
) -> list[Path]:
    """One PDF per employee of the month (or the one named), as HR."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with acting_as(admin, "hr") as conn:
        people = [employee_id] if employee_id else employees_of_month(conn, month)
        if not people:
            raise PlatformError(f"no timesheet in {month:%Y-%m}: nothing to export")
        for person in people:
            path = out / f"espelho_{person}_{month:%Y-%m}.pdf"
            path.write_bytes(espelho_pdf(espelho_data(conn, person, month)))
            written.append(path)
    return written


# --- rendering ------------------------------------------------------------------------------------
def hhmm(minutes: Any) -> str:
    """Minutes as h:mm (negative with a sign); empty for null."""
    if minutes is None:
        return ""
    value = round(Decimal(str(minutes)))
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 60}:{value % 60:02d}"


def _document_id(number: str | None) -> str:
    if not number:
        return ""
    if len(number) == 14:
        return f"{number[:2]}.{number[2:5]}.{number[5:8]}/{number[8:12]}-{number[12:]}"
    if len(number) == 11:
        return f"{number[:3]}.{number[3:6]}.{number[6:9]}-{number[9:]}"
    return number


def _date_pt(value: str | None) -> str:
    if not value:
        return ""
    day = dt.date.fromisoformat(value[:10])
    return f"{day:%d/%m/%Y}"


def _escape(text: Any) -> str:
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mark(mark: dict[str, Any]) -> str:
    at = mark["at"][11:16]
    label = f"{at} {mark['marker']}{mark['pair_number']} {mark['source']}"
    if mark["marker"] == "D":
        return f"<strike>{label}</strike> ({_escape(mark.get('reason'))})"
    if mark["source"] == "I":
        return f"{label} ({_escape(mark.get('reason'))})"
    return label


# a day's flags in the Espelho, in this order (after the absence): the timesheet column, its label
_FLAGS = (
    ("is_incomplete", "incompleta"),
    ("needs_review", "revisão RH"),
    ("is_holiday", "feriado"),
    ("has_break_violation", "intervalo (art. 71)"),
    ("has_rest_violation", "descanso (art. 66)"),
    ("has_overtime_over_limit", "HE > 2 h (art. 59)"),
)


def _flags(day: dict[str, Any]) -> str:
    flags = ["falta justificada" if day.get("absence_category") else "falta"] if day.get("is_absent") else []
    flags += [label for column, label in _FLAGS if day.get(column)]
    return ", ".join(flags)


def espelho_pdf(data: dict[str, Any]) -> bytes:
    """The Espelho de Ponto of one employee and month (art. 84: employer, worker, period, schedule,
    every original and treated punch with its marker and reason, durations with the reduced night hour)."""
    # deferred: reportlab is needed only to draw a PDF
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7.5, leading=9)
    employer = data.get("employer") or {}
    employee = data.get("employee") or {}
    period = data["period"]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=f"Espelho de Ponto {employee.get('name', '')} {period['from'][:7]}",
        author=employer.get("employer_name", ""),
    )
    story: list[Any] = [
        Paragraph("Espelho de Ponto", styles["Title"]),
        Paragraph(
            f"<b>Empregador:</b> {_escape(employer.get('employer_name'))} — "
            f"{'CNPJ' if employer.get('employer_id_type') == '1' else 'CPF'} "
            f"{_document_id(employer.get('employer_id'))}"
            + (f" — CAEPF {employer['caepf']}" if employer.get("caepf") else "")
            + (f" — CNO {employer['cno']}" if employer.get("cno") else ""),
            styles["BodyText"],
        ),
        Paragraph(
            f"<b>Trabalhador:</b> {_escape(employee.get('name'))} — CPF {_document_id(employee.get('cpf'))}"
            f" — admissão {_date_pt(employee.get('hired_at'))} — cargo/função "
            f"{_escape(employee.get('job_title') or employee.get('department') or 'não informado')}",
            styles["BodyText"],
        ),
        Paragraph(
            f"<b>Período:</b> {_date_pt(period['from'])} a {_date_pt(period['to'])} — "
            f"<b>emissão:</b> {_date_pt(data['issued_at'])} {data['issued_at'][11:16]} — "
            f"programa {_escape(employer.get('program_name'))} {_escape(employer.get('program_version'))}",
            styles["BodyText"],
        ),
    ]
    timetables = "; ".join(
        f"{item['timetable_code']} ({item['weekdays']}): "
        + " ".join(f"{b[:2]}:{b[2:]}" for b in item["boundaries"])
        + f", {hhmm(item['duration_minutes'])} h"
        for item in data.get("timetables", [])
    )
    story.append(
        Paragraph(
            f"<b>Horário contratual:</b> {_escape(timetables) or 'sem horário cadastrado'}",
            styles["BodyText"],
        )
    )
    story.append(Spacer(1, 3 * mm))
    header = [
        "Data",
        "Marcações (E/S/D + par, origem: O original, I incluída, P pré-assinalada, T outra)",
        "Trab.",
        "Not.",
        "Prev.",
        "Saldo",
        "HE 50%",
        "HE 100%",
        "Déficit",
        "Ocorrências",
    ]
    rows: list[list[Any]] = [[Paragraph(f"<b>{cell}</b>", small) for cell in header]]
    for day in data.get("days", []):
        work_date = dt.date.fromisoformat(day["work_date"])
        marks = "  ".join(_mark(mark) for mark in day.get("marks", []))
        if day.get("is_absent") and day.get("absence_reason"):
            marks = f"abono: {_escape(day['absence_reason'])}"
        rows.append(
            [
                Paragraph(f"{work_date:%d/%m} {WEEKDAYS_PT[work_date.weekday()]}", small),
                Paragraph(marks, small),
                hhmm(day.get("worked_minutes")),
                hhmm(day.get("night_minutes")),
                hhmm(day.get("expected_minutes")),
                hhmm(day.get("balance_minutes")),
                hhmm(day.get("overtime_50_minutes")),
                hhmm(day.get("overtime_100_minutes")),
                hhmm(day.get("deficit_minutes")),
                Paragraph(_escape(_flags(day)), small),
            ]
        )
    table = Table(
        rows,
        colWidths=[18 * mm, 112 * mm, 14 * mm, 13 * mm, 13 * mm, 14 * mm, 14 * mm, 15 * mm, 15 * mm, 43 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (2, 1), (8, -1), "RIGHT"),
            ]
        )
    )
    story.append(table)
    totals = data.get("totals") or {}
    story.append(Spacer(1, 3 * mm))
    story.append(
        Paragraph(
            "<b>Totais do mês:</b> "
            f"trabalhado {hhmm(totals.get('worked_minutes'))}, noturno {hhmm(totals.get('night_minutes'))}"
            f" (hora noturna reduzida: trabalhado legal {hhmm(totals.get('legal_worked_minutes'))}),"
            f" previsto {hhmm(totals.get('expected_minutes'))},"
            f" HE 50% {hhmm(totals.get('overtime_50_minutes'))},"
            f" HE 100% {hhmm(totals.get('overtime_100_minutes'))},"
            f" déficit {hhmm(totals.get('deficit_minutes'))},"
            f" saldo do mês {hhmm(totals.get('balance_minutes'))}, banco de horas"
            f" {hhmm(totals.get('hour_bank_balance_minutes'))}; faltas {totals.get('absences_count', 0)}"
            f" (justificadas {totals.get('justified_absences', 0)}), dias incompletos"
            f" {totals.get('incomplete_days', 0)}, em revisão {totals.get('review_days', 0)}.",
            styles["BodyText"],
        )
    )
    story.append(
        Paragraph(
            "Documento gerado a partir das mesmas marcações e tratamentos do AEJ do período"
            " (Portaria MTP 671/2021, arts. 83 e 84)."
            " Marcações desconsideradas aparecem riscadas, com o motivo.",
            small,
        )
    )
    document.build(story)
    return buffer.getvalue()
