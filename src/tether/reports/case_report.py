"""The printable case report: one case on one or two pages of A4 or Letter,
to print or file in the record (issue #15 item 1; docs/reports.md §Case
report).

What the report shows is what the case page computes, never a second
reckoning: the charts and tables of `care.charts.case_charts` (the alliance
by level, the TAC dimensions that moved, the PCL-5 with its cutoff and change
band, every other symptom measure, the MSPSS), the open alerts explained by
the case page's own `explain` (the alert catalogue's texts with the clinic's
numbers) with what fell most at a rupture. This module only arranges it for
paper: the charts redrawn with matplotlib (`pdf_charts.py`), each with its
numbers in a small table (sessions as columns), and what changed since the
last session.

The case is read through care's selectors (`get_case_for`: a case the user
may not see is a 404, and the read is audited as a page read is); making the
PDF is audited as an export. The command line (`tether report`), run by
whoever runs the server, reads any case, audited without a user, as
`tether export fhir` is.

WeasyPrint needs Pango and its companions (system libraries, not Python
packages); it is imported only when a PDF is made, so a server without them
keeps every other page, and the button and the command say what to install
(`PdfUnavailable`)."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tether.accounts.models import CrisisRegion, Organization, User
from tether.audit.services import record
from tether.care.charts import CaseCharts, case_charts
from tether.care.models import Case, Member, Signal
from tether.care.svg import Guide, Line, Panel, Series, draw
from tether.care.views import explain
from tether.core import palette
from tether.signals import SignalConfig, severity_rank
from tether.signals.risk import RISK_ITEM

from .pdf_charts import Chart, panel_chart, small_multiples

A4, LETTER = "A4", "letter"
LETTER_COUNTRIES = frozenset({CrisisRegion.US.value, CrisisRegion.CA.value})
"""Where Letter paper is the norm, of the countries an organization can be
in (`Organization.crisis_region`); everywhere else prints on A4 (ISO 216)."""
MAX_SESSIONS = 12
"""Columns of sessions a table holds on the page: the first (intake) and
the latest ones, the others left out with a gap marked."""
WIDTH_MM = 182
"""The text block's width on A4 with 14 mm margins (Letter's, 187.9 mm, is
a little wider: the same layout fits)."""
HALF_MM = 88
"""A chart in one of two columns."""
CURVES = ("expected", "upper80", "upper90")
"""The PCL-5 panel's expected-response curves: guides, not anyone's scores."""
INSTALL_PANGO = (
    "The PDF report needs WeasyPrint's system libraries (Pango), which this "
    "server cannot load: {error}. Install them and restart Tether. Debian or "
    "Ubuntu: apt install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; "
    "Fedora: dnf install pango; Alpine: apk add pango; macOS: brew install "
    "pango. Everything else in Tether works without them."
)
"""For the server's operator (the button's page and the command say it):
not translated, as the command line's messages and the commands are not."""


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or the system libraries it loads) is missing here; the
    message says what to install."""


def weasyprint() -> Any:
    """The weasyprint module, imported now (at call time, so a server
    without Pango only loses the PDF); PdfUnavailable otherwise."""
    try:
        return import_module("weasyprint")
    except OSError as error:  # cffi's dlopen: a system library is missing
        raise PdfUnavailable(INSTALL_PANGO.format(error=error)) from error
    except ImportError as error:
        raise PdfUnavailable(
            f"The PDF report needs the Python package WeasyPrint ({error}): "
            "pip install weasyprint, then restart Tether."
        ) from error


def paper_for(organization: Organization) -> str:
    """Letter where the organization's country prints on it, else A4."""
    return LETTER if organization.crisis_region in LETTER_COUNTRIES else A4


# ---- what the report holds ------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A chart's numbers, one row per line of the chart, sessions as columns
    (None: a gap where sessions were left out)."""

    sessions: list[int | None]
    rows: list[tuple[str, list[str]]]
    note: str = ""


@dataclass(frozen=True)
class Figure:
    id: str
    title: str
    chart: Chart | None
    table: Table
    caption: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def src(self) -> str:
        """The chart as a data: URL for the report's <img>."""
        if self.chart is None:
            return ""
        encoded = base64.b64encode(self.chart.svg.encode("utf-8")).decode("ascii")
        return f"data:image/svg+xml;base64,{encoded}"


@dataclass(frozen=True)
class Change:
    """One line's value at the latest session against its previous one."""

    what: str
    who: str
    before: str
    before_session: int
    now: str
    change: str

    @property
    def same(self) -> bool:
        """No change, as the numbers read (to one decimal)."""
        return self.change == "0"


@dataclass(frozen=True)
class ChangeGroup:
    """The changes of one measure: those that moved, and who stayed the same."""

    what: str
    moved: list[Change]
    same: list[str]


@dataclass(frozen=True)
class Moved:
    """A member's TAC dimensions that fell a step or more in their latest
    sessions (care/breakdown.py), or `still`: none did."""

    member: str
    instrument: str
    headline: str
    sessions: list[int]
    earlier_span: str
    rows: list[tuple[str, str, list[str]]]
    scale: str


@dataclass(frozen=True)
class CaseReport:
    case: Case
    organization: str
    paper: str
    made_at: dt.datetime
    members: list[Member]
    clinicians: list[str]
    session_count: int
    first_session: Any
    last_session: Any
    latest: int | None
    """The latest session with scores: what "since the last session" is from."""
    changes: list[ChangeGroup]
    new_alerts: list[str]
    alerts: list[dict[str, Any]]
    alliance: Figure | None
    uses_tac: bool
    moved: list[Moved]
    steady: list[str]
    """Members whose TAC answers moved in no dimension."""
    pcl5: Figure | None
    pcl5_client: str | None
    measures: list[Figure]
    support: Figure | None
    notes: list[str]
    demo: bool = False

    @property
    def moved_scales(self) -> list[str]:
        """The answer scales of the TAC tables, each once."""
        return list(dict.fromkeys(m.scale for m in self.moved if m.scale))

    @property
    def filename(self) -> str:
        """By the case's id: a file name carries no one's name."""
        return f"case-{self.case.pk}-report.pdf"


def case_report(case: Case, paper: str | None = None) -> CaseReport:
    """Everything the report shows of `case`, from what the case page
    computes."""
    members = list(case.members.all())
    names = {str(m.pk): m.first_name for m in members}
    config = SignalConfig.from_mapping(case.organization.signal_settings or {})
    open_signals = sorted(
        case.signals.filter(status=Signal.Status.OPEN),
        # As the case page: risk alerts first, then red, then the latest.
        key=lambda s: (
            s.kind != RISK_ITEM,
            -severity_rank(s.severity),
            -s.session_number,
            s.pk,
        ),
    )
    charts = case_charts(case, members, open_signals)
    sessions = list(case.sessions.order_by("number"))
    series = _all_series(charts)
    latest = max((n for _w, _n, points in series for n, _v in points), default=None)
    alerts = [
        explain(s, names, config) | {"fell": charts.falls.get(s.pk, "")}
        for s in open_signals
    ]
    moved = [_moved(m) for m in charts.breakdown if m.lower_count]
    return CaseReport(
        case=case,
        organization=case.organization.name,
        paper=paper or paper_for(case.organization),
        made_at=timezone.localtime(),
        members=members,
        clinicians=[c.display for c in case.clinicians.all()],
        session_count=len(sessions),
        first_session=sessions[0] if sessions else None,
        last_session=sessions[-1] if sessions else None,
        latest=latest,
        changes=by_measure(changes_since(series, latest)),
        new_alerts=[
            a["text"].title if a["text"] else a["signal"].kind
            for a in alerts
            if a["signal"].session_number == latest
        ],
        alerts=alerts,
        alliance=_alliance(charts),
        uses_tac=charts.uses_tac,
        moved=moved,
        steady=sorted(
            {m.member for m in charts.breakdown} - {m.member for m in moved},
            key=list(names.values()).index,
        ),
        pcl5=_pcl5(charts),
        pcl5_client=charts.pcl5_info.get("client"),
        measures=_measures(charts),
        support=_support(charts.mspss, members, config.low_support_below),
        notes=_notes(charts),
        demo=settings.DEMO,
    )


# ---- what changed since the last session ---------------------------------------

Points = Sequence[tuple[int, float]]


def _all_series(charts: CaseCharts) -> list[tuple[str, str, Points]]:
    """(what, who, points) of every line the report charts, people's scores
    only (the expected-response curves are guides)."""
    out: list[tuple[str, str, Points]] = [
        (_("Alliance (0–100)"), name, points)
        for name, points in _alliance_lines(charts.alliance)
    ]
    panels = [charts.pcl5] if charts.pcl5 else []
    panels += [m.panel for m in charts.measures]
    for panel in panels:
        out += [
            (panel.title, line.name, line.data)
            for line in panel.lines
            if line.key not in CURVES
        ]
    out += [
        (_mspss_words(scale), who, points)
        for scale, who, points in _support_series(charts.mspss)
    ]
    return out


def _alliance_lines(panels: Iterable[Panel]) -> list[tuple[str, Points]]:
    """Each alliance line by whose it is (`_whose`) and its points."""
    return [(_whose(line), line.data) for panel in panels for line in panel.lines]


def _whose(line: Line) -> str:
    """A line by whose it is: a member, a subsystem, the whole family, or the
    therapist's rating of one of them."""
    if line.key == "therapist:family":
        return _("Therapist's rating of the family")
    if line.key.startswith("therapist:"):
        return _("Therapist's rating of %(name)s") % {"name": line.name}
    return line.name


def changes_since(
    series: Iterable[tuple[str, str, Points]], latest: int | None
) -> list[Change]:
    """Each line with a value at the `latest` session: that value against the
    line's previous one (whatever session it was in)."""
    out = []
    for what, who, points in series:
        if latest is None or len(points) < 2 or points[-1][0] != latest:
            continue
        (before_at, before), (_now_at, now) = points[-2], points[-1]
        out.append(
            Change(
                what=what,
                who=who,
                before=_number(before),
                before_session=before_at,
                now=_number(now),
                change=_signed(now - before),
            )
        )
    return out


def by_measure(changes: Iterable[Change]) -> list[ChangeGroup]:
    """The changes grouped by measure, in their order; a line that did not
    move is only named."""
    groups: dict[str, ChangeGroup] = {}
    for change in changes:
        group = groups.setdefault(change.what, ChangeGroup(change.what, [], []))
        if change.same:
            group.same.append(change.who)
        else:
            group.moved.append(change)
    return list(groups.values())


# ---- the figures ---------------------------------------------------------------


def shown_sessions(
    sessions: Iterable[int], most: int = MAX_SESSIONS
) -> list[int | None]:
    """The sessions a table has room for: all when they fit, else the first
    and the latest `most - 1`, with None where the others were left out."""
    ordered = sorted(set(sessions))
    if len(ordered) <= most:
        return list(ordered)
    return [ordered[0], None, *ordered[-(most - 1) :]]


def _table(lines: Iterable[tuple[str, Mapping[int, Any]]], note: str = "") -> Table:
    lines = list(lines)
    columns = shown_sessions(n for _name, values in lines for n in values)
    rows = [
        (
            name,
            ["…" if n is None else _cell(values.get(n)) for n in columns],
        )
        for name, values in lines
    ]
    return Table(columns, rows, note)


def _panel_table(panels: Iterable[Panel]) -> Table:
    """The numbers of the panels' lines (not the expected-response curves);
    a value with an open alert ringed on the chart is marked ○."""
    lines = []
    marked = False
    for panel in panels:
        for line in panel.lines:
            if line.key in CURVES:
                continue
            values: dict[int, Any] = dict(line.data)
            for ring in line.rings:
                values[ring.session] = f"{_number(ring.value)} ○"
                marked = True
            lines.append((_whose(line), values))
    note = _("○: an open alert at this session (Open alerts, above).") if marked else ""
    return _table(lines, note)


def _alliance(charts: CaseCharts) -> Figure | None:
    if not charts.alliance:
        return None
    panels = charts.alliance
    columns = len(panels) if len(panels) <= 3 else 2
    rows = -(-len(panels) // columns)
    return Figure(
        id="alliance",
        title=_("Alliance across sessions"),
        chart=small_multiples(panels, WIDTH_MM, 40 * rows, columns=columns),
        table=_panel_table(panels),
        caption=_(
            "0–100. Solid lines: each member's own rating of the alliance; "
            "dashed lines: the therapist's ratings. A subsystem is drawn where "
            "two or more of its members answered (a subsystem of one is that "
            "member's line). A ring marks an open rupture or split on the line "
            "it belongs to."
        ),
    )


def _pcl5(charts: CaseCharts) -> Figure | None:
    if charts.pcl5 is None:
        return None
    info = charts.pcl5_info
    caption = [
        _("PCL-5 total (0–80, lower is better), one line per member who answers it.")
    ]
    if "cutoff" in info:
        caption.append(
            _("Dotted line: cutoff %(cutoff)s (%(label)s).")
            % {"cutoff": f"{info['cutoff']:g}", "label": info["cutoff_label"]}
        )
    if "change_alert" in info:
        caption.append(
            _(
                "Shaded band: %(name)s’s intake %(intake)s ± %(band)s, the "
                "%(basis)s change within which no alert is raised."
            )
            % {
                "name": info["reference"],
                "intake": info["intake"],
                "band": f"{info['change_alert']:g}",
                "basis": _basis(info["change_basis"]),
            }
        )
    if info.get("expected"):
        caption.append(
            _(
                "Dashed curves: expected for clients who started at "
                "%(name)s’s level, fitted on your clinic's data, with their 80%% "
                "and 90%% upper bounds."
            )
            % {"name": info["reference"]}
        )
    latest_findings = {}
    for row in charts.pcl5_table:  # in session order, per member
        if row["diagnosis"] is not None:
            latest_findings[row["member"]] = (row["session"], row["diagnosis"])
    notes = [
        _(
            "Provisional PTSD diagnosis (DSM-5 cluster rule), %(name)s, session %(session)s: %(finding)s."
        )
        % {"name": name, "session": session, "finding": finding}
        for name, (session, finding) in latest_findings.items()
    ]
    if notes:
        notes.append(charts.cautions["pcl5"])
    return Figure(
        id="pcl5",
        title=_("PTSD symptoms (PCL-5)"),
        chart=panel_chart(charts.pcl5, HALF_MM, 50, titled=False),
        table=_panel_table([charts.pcl5]),
        caption=" ".join(caption),
        notes=notes,
    )


def _basis(basis: str) -> str:
    return (
        _("clinically meaningful")
        if basis == "clinically meaningful"
        else _("reliable")
    )


def _measures(charts: CaseCharts) -> list[Figure]:
    out = []
    for measure in charts.measures:
        notes = []
        if measure.finding:
            latest: dict[str, tuple[int, str]] = {}
            for row in measure.rows:
                if row["finding"] is not None:
                    latest[row["member"]] = (row["session"], row["finding"])
            notes = [
                _("%(finding)s, %(name)s, session %(session)s: %(value)s.")
                % {"finding": measure.finding, "name": name, "session": s, "value": v}
                for name, (s, v) in latest.items()
            ]
            if notes and measure.caution:
                notes.append(measure.caution)
        out.append(
            Figure(
                id=measure.id,
                title=measure.title,
                chart=panel_chart(measure.panel, HALF_MM, 50, titled=False),
                table=_panel_table([measure.panel]),
                caption=measure.scale + ". " + _("One line per member who answers it."),
                notes=notes,
            )
        )
    return out


MSPSS_SHOWN = {"family": 0, "total": 3}
"""The MSPSS scales the report shows, by their place in the case page's rows
(care.charts.MSPSS_SCALES): the family subscale, which the low-support rule
reads, and the total."""


def _mspss_words(scale: str) -> str:
    return _("MSPSS family subscale") if scale == "family" else _("MSPSS total")


def _support_series(
    rows: Sequence[Mapping[str, Any]],
) -> list[tuple[str, str, Points]]:
    """(scale, member, points) of each member's MSPSS family subscale and
    total, by session."""
    out: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for row in rows:
        for scale, place in MSPSS_SHOWN.items():
            value = row["values"][place]
            if value is not None:
                out.setdefault((scale, row["member"]), []).append(
                    (row["session"], value)
                )
    return [(scale, who, points) for (scale, who), points in out.items()]


def _support(
    rows: Sequence[Mapping[str, Any]], members: Sequence[Member], low_below: float
) -> Figure | None:
    """The MSPSS: each member's family subscale charted against the
    low-support line (each member in their colour of every chart), the
    family subscale and total in the table."""
    if not rows:
        return None
    order = [m.first_name for m in members]
    colour = {name: palette.person(i) for i, name in enumerate(order)}
    series = sorted(
        _support_series(rows),
        key=lambda s: (order.index(s[1]) if s[1] in order else len(order), s[0]),
    )
    family = [
        Series(f"member:{who}", who, colour.get(who, palette.INK), tuple(points))
        for scale, who, points in series
        if scale == "family"
    ]
    chart = None
    if family:
        sessions = [n for line in family for n, _v in line.points]
        panel = draw(
            "mspss-chart",
            _("Support from family (MSPSS)"),
            "",
            family,
            (min(sessions), max(sessions)),
            (1, 7),
            x_title=_("Session"),
            y_title=_("MSPSS family subscale (1–7)"),
            guides=[
                Guide(
                    low_below,
                    low_below,
                    palette.CUTOFF,
                    _("below %(value)s: low support") % {"value": f"{low_below:g}"},
                )
            ],
        )
        chart = panel_chart(panel, HALF_MM, 50, titled=False)
    words = {"family": _("family"), "total": _("total")}
    lines = [
        (
            _("%(name)s, %(scale)s") % {"name": who, "scale": words[scale]},
            dict(points),
        )
        for scale, who, points in series
    ]
    return Figure(
        id="support",
        title=_("Support network (MSPSS)"),
        chart=chart,
        table=_table(lines),
        caption=_(
            "Subscale means, 1–7; a family subscale below %(value)s is low "
            "support. Chart: the family subscale, one line per member."
        )
        % {"value": f"{low_below:g}"},
    )


def _moved(member: Any) -> Moved:
    """The rows of a member's TAC breakdown with a cell a step below their
    earlier level."""
    rows = [
        (
            row.dimension,
            row.earlier,
            [cell.value + (" ↓" if cell.lower else "") for cell in row.cells],
        )
        for row in member.rows
        if any(cell.lower for cell in row.cells)
    ]
    return Moved(
        member=member.member,
        instrument=member.instrument,
        headline=member.fell_most,
        sessions=[column.session for column in member.sessions],
        earlier_span=member.earlier_span,
        rows=rows,
        scale=member.scale,
    )


def _notes(charts: CaseCharts) -> list[str]:
    notes = list(charts.no_change_rule)
    if charts.uses_tac:
        notes.insert(
            0,
            _(
                "TAC is not yet validated: read its values as a conversation "
                "starter. Tether reports its reliability on your clinic's own data."
            ),
        )
    if charts.pcl5_table or any(m.finding for m in charts.measures):
        notes.append(charts.cautions["not_computed"])
    return notes


# ---- the PDF -------------------------------------------------------------------


def render_pdf(report: CaseReport) -> bytes:
    """The report as PDF bytes; PdfUnavailable where WeasyPrint cannot run."""
    html = render_to_string("reports/case_report.html", {"report": report})
    engine = weasyprint()
    return bytes(engine.HTML(string=html).write_pdf())


def case_report_pdf(
    case: Case, user: User | None, paper: str | None = None
) -> tuple[CaseReport, bytes]:
    """The report of `case` as PDF, its making audited as an export (by
    `user`, or without one for the command line)."""
    report = case_report(case, paper)
    pdf = render_pdf(report)
    record(
        user,
        "export",
        "case",
        case.pk,
        organization=case.organization,
        detail={"for": "case report (PDF)", "paper": report.paper},
    )
    return report, pdf


# ---- numbers as people read them -----------------------------------------------


def _number(value: float) -> str:
    """42 as "42", 3.667 as "3.7" (with the language's decimal mark)."""
    rounded = round(float(value), 1)
    if rounded.is_integer():
        return str(int(rounded))
    return number_format(rounded, decimal_pos=1)


def _signed(value: float) -> str:
    text = _number(value)
    if text in ("0", "-0"):
        return "0"
    return "−" + text.lstrip("-") if value < 0 else f"+{text}"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return _number(value)
