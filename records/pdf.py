"""A readable PDF summary of the patient's record (ReportLab), in the patient's language.

A summary, not the whole file: the latest check-ins in a table and the rest counted, so a
patient with years of check-ins still gets a short document built in bounded memory. The
complete record is the FHIR copy.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.db.models import Max, Min
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from assessments import rules as assessment_rules
from clinic.models import Patient
from clinic.time import CLINIC_TZ, local_date
from records import selectors, wording
from records.serializers import escalation_outcome

# How many of the latest check-ins the summary lists.
PDF_CHECK_INS = 30


def _when(moment) -> str:
    return timezone.localtime(moment, CLINIC_TZ).strftime("%Y-%m-%d %H:%M")


def record_pdf(patient: Patient) -> bytes:
    lang = wording.language_of(patient.language)
    label = lambda key, **kw: wording.say(wording.PDF, key, lang).format(**kw)  # noqa: E731
    styles = getSampleStyleSheet()
    body, heading = styles["BodyText"], styles["Heading2"]
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    story: list = [
        Paragraph(escape(label("title")), styles["Title"]),
        Paragraph(escape(label("made_on", at=_when(timezone.now()), name=patient.name)), body),
        Paragraph(
            escape(
                f"{label('born')}: {patient.date_of_birth.isoformat()} · "
                f"{label('location')}: {patient.location.name}"
            ),
            body,
        ),
    ]

    story.append(Paragraph(escape(label("assessments")), heading))
    assessments = list(selectors.record_assessments(patient=patient))
    if not assessments:
        story.append(Paragraph(escape(label("none")), body))
    for a in assessments:
        onset = a.episode.onset_date
        phase = assessment_rules.phase(onset_date=onset, on=local_date(a.assessed_at))
        window = assessment_rules.return_to_run(grade=a.grade, onset_date=onset)
        lines = [
            f"<b>{escape(_when(a.assessed_at))} · "
            f"{escape(wording.say(wording.ASSESSMENT_KIND, a.kind, lang))} · "
            f"{escape(wording.say(wording.SIDE, a.episode.side, lang))}</b>",
            escape(wording.say(wording.GRADE, a.grade, lang)),
            escape(wording.say(wording.PHASE, phase, lang)),
            escape(wording.return_to_jog_text(window, lang, grade=a.grade)),
        ]
        if a.red_flags:
            flags = "; ".join(wording.say(wording.RED_FLAG, f, lang) for f in a.red_flags)
            lines.append(f"{escape(label('red_flags'))}: {escape(flags)}")
        story.append(Paragraph("<br/>".join(lines), body))
        story.append(Spacer(1, 3 * mm))

    story.append(Paragraph(escape(label("programs")), heading))
    programs = list(selectors.record_programs(patient=patient))
    if not programs:
        story.append(Paragraph(escape(label("none")), body))
    for p in programs:
        lines = [
            f"<b>{escape(wording.say(wording.STEP, p.step, lang))} · "
            f"{escape(wording.say(wording.PROGRAM_STATUS, p.status_words, lang))}</b> "
            f"({escape(label('started', at=_when(p.started_at)))})"
        ]
        for change in p.transitions.all():
            step = wording.say(wording.STEP, change.to_step, lang)
            lines.append(f"{escape(_when(change.at))}: {escape(step)}")
        story.append(Paragraph("<br/>".join(lines), body))

    story.append(Paragraph(escape(label("check_ins")), heading))
    check_ins = selectors.record_check_ins(patient=patient)
    span = check_ins.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    count = check_ins.count()
    if not count:
        story.append(Paragraph(escape(label("none")), body))
    else:
        latest = list(check_ins.order_by("-submitted_at", "-id")[:PDF_CHECK_INS])
        story.append(
            Paragraph(
                escape(
                    label(
                        "check_ins_summary",
                        count=count,
                        first=_when(span["first"]),
                        last=_when(span["last"]),
                        shown=len(latest),
                    )
                ),
                body,
            )
        )
        rows = [[label("date"), label("pain_now"), label("pain_activity"), label("alerts")]]
        rows += [
            [
                _when(c.submitted_at),
                str(c.pain_now),
                str(c.pain_activity),
                Paragraph(
                    escape("; ".join(wording.say(wording.RULE, a, lang) for a in c.alerts)), small
                ),
            ]
            for c in latest
        ]
        table = Table(rows, repeatRows=1, colWidths=[35 * mm, 25 * mm, 35 * mm, 75 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                ]
            )
        )
        story.append(table)

    story.append(Paragraph(escape(label("escalations")), heading))
    escalations = list(selectors.record_escalations(patient=patient))
    if not escalations:
        story.append(Paragraph(escape(label("none")), body))
    for e in escalations:
        outcome = escalation_outcome(e)
        text = (
            f"{_when(e.created_at)} · {wording.say(wording.RULE, e.rule, lang)} · "
            f"{wording.say(wording.ESCALATION_STATUS, e.status, lang)}"
        )
        if outcome:
            text += f" ({wording.say(wording.ESCALATION_OUTCOME, outcome, lang)})"
        story.append(Paragraph(escape(text), body))

    story.append(Paragraph(escape(label("appointments")), heading))
    appointments = list(selectors.record_appointments(patient=patient))
    if not appointments:
        story.append(Paragraph(escape(label("none")), body))
    for ap in appointments:
        status = wording.say(wording.APPOINTMENT_STATUS, ap.status, lang)
        text = f"{_when(ap.start)} · {ap.appointment_type.name} · {ap.location.name} · {status}"
        story.append(Paragraph(escape(text), body))

    messages = selectors.record_messages_sent(patient=patient).count()
    story += [
        Spacer(1, 4 * mm),
        Paragraph(escape(label("messages", count=messages)), body),
        Spacer(1, 4 * mm),
        Paragraph(escape(label("retention")), styles["Italic"]),
    ]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=label("title"), author="Hamstring clinic").build(
        story
    )
    return out.getvalue()
