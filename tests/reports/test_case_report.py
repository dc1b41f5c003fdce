"""The printable case report (reports/case_report.py): the demo's Rivera family
as a PDF made by `tether report` — its text holds the case's latest scores
and open alerts and no one's contact details, every page renders — and the
Print report button: who may print, the audit, and a server without Pango."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from pypdf import PdfReader

from tether import progress
from tether.accounts.models import CrisisRegion, Organization
from tether.audit.models import AuditEvent
from tether.care.charts import CaseCharts
from tether.care.models import Member, Score, Signal
from tether.care.svg import Series, draw
from tether.care.views import explain
from tether.cli import main
from tether.demo.clinic import seed_demo_clinic
from tether.reports import case_report as reports
from tether.reports.case_report import (
    A4,
    LETTER,
    Change,
    by_measure,
    changes_since,
    paper_for,
    shown_sessions,
)
from tether.signals import SignalConfig

pytestmark = pytest.mark.django_db

EMAIL, PHONE = "maria.rivera@example.org", "+1 555 0199"
NO_PANGO = OSError(
    "cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared "
    "object file: No such file or directory"
)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def spaced(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo clinic, its Rivera family's report written once by `tether
    report --case ID` (Maria given an email and a phone first), inside a
    transaction rolled back at the end."""
    out = tmp_path_factory.mktemp("report") / "rivera.pdf"
    with django_db_blocker.unblock(), transaction.atomic():
        clinic = seed_demo_clinic()
        case_id = clinic.showcase_case_id
        Member.objects.filter(case_id=case_id, first_name="Maria").update(
            email=EMAIL, phone=PHONE
        )
        code = main(["report", "--case", str(case_id), "--out", str(out)])
        yield clinic, case_id, code, out, pdf_text(out) if code == 0 else ""
        transaction.set_rollback(True)


def totals(case_id: int, instrument: str) -> dict[str, list[tuple[int, int]]]:
    """Each member's (session, total) of an instrument, from the stored
    scores."""
    scores = Score.objects.filter(
        response__session__case_id=case_id,
        response__instrument__startswith=f"{instrument}@",
        response__member__isnull=False,
        scale="total",
    ).order_by("response__session__number")
    out: dict[str, list[tuple[int, int]]] = {}
    for score in scores.select_related("response__member", "response__session"):
        out.setdefault(score.response.member.first_name, []).append(
            (score.response.session.number, round(score.value))
        )
    return out


def latest_session(case_id: int) -> int:
    return max(
        Score.objects.filter(response__session__case_id=case_id).values_list(
            "response__session__number", flat=True
        )
    )


class TestTheDemoRiveraReport:
    def test_the_command_writes_a_pdf_of_one_or_two_pages(self, demo):
        _clinic, _case_id, code, out, _text = demo
        assert code == 0
        assert out.read_bytes().startswith(b"%PDF-")
        assert 1 <= len(PdfReader(out).pages) <= 2

    def test_every_page_renders_with_pdftoppm(self, demo, tmp_path):
        if shutil.which("pdftoppm") is None:
            pytest.skip("pdftoppm (poppler-utils) is not installed here")
        out = demo[3]
        done = subprocess.run(
            ["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        pages = sorted(tmp_path.glob("page-*.png"))
        assert len(pages) == len(PdfReader(out).pages)
        assert all(page.stat().st_size > 5000 for page in pages)

    def test_it_holds_every_members_pcl5_and_phq9_totals_up_to_the_latest(self, demo):
        _clinic, case_id, _code, _out, text = demo
        text = spaced(text)
        for instrument in ("pcl-5", "phq-9"):
            found = totals(case_id, instrument)
            assert found, f"the demo's Rivera family has no {instrument}"
            for name, values in found.items():
                shown = " ".join(str(v) for _n, v in values[-11:])
                assert f"{name} " in text
                assert shown in text, f"{name}'s {instrument} totals"

    def test_it_says_what_changed_in_the_latest_session(self, demo):
        _clinic, case_id, _code, _out, text = demo
        text = spaced(text)
        latest = latest_session(case_id)
        assert f"What changed in session {latest}" in text
        (before_at, before), (now_at, now) = totals(case_id, "pcl-5")["Leo"][-2:]
        assert now_at == latest
        assert f"Leo {before} (session {before_at}) {now}" in text

    def test_it_explains_every_open_alert_as_the_case_page_does(self, demo):
        _clinic, case_id, _code, _out, text = demo
        text = spaced(text)
        opened = Signal.objects.filter(case_id=case_id, status=Signal.Status.OPEN)
        assert opened.filter(kind="rupture", severity="red").exists()
        assert f"Open alerts ({opened.count()};" in text
        names = {
            str(m.pk): m.first_name for m in Member.objects.filter(case_id=case_id)
        }
        config = SignalConfig.from_mapping(demo[0].organization.signal_settings)
        for signal in opened:
            explained = explain(signal, names, config)["text"]
            assert explained.title in text
            assert spaced(explained.explanation) in text
        assert "the rupture looks unrepaired" in text
        assert "What fell most in session" in text

    def test_it_names_the_organization_says_confidential_and_numbers_pages(self, demo):
        clinic, case_id, _code, out, text = demo
        text = spaced(text)
        pages = len(PdfReader(out).pages)
        assert clinic.organization.name in text
        assert text.count("Confidential: clinical information") == pages
        assert f"Case {case_id} · Page {pages} of {pages}" in text

    def test_it_holds_no_email_and_no_phone_number(self, demo):
        text = demo[4]
        assert "Maria" in text
        for contact in (EMAIL, PHONE, "555 0199", "@example.org"):
            assert contact not in text

    def test_a_us_clinic_prints_on_letter(self, demo):
        clinic, _case_id, _code, out, _text = demo
        assert clinic.organization.crisis_region == CrisisRegion.US
        box = PdfReader(out).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (612, 792)

    def test_the_command_audits_the_report_as_an_export_without_a_user(self, demo):
        _clinic, case_id, _code, _out, _text = demo
        event = AuditEvent.objects.get(action="export", object_type="case")
        assert event.object_id == str(case_id)
        assert event.user is None
        assert event.detail["for"] == "case report (PDF)"


# ---- the button and the view ----------------------------------------------------


def report_url(case) -> str:
    return reverse("case-report", args=[case.pk])


def test_the_case_page_has_the_print_button(sign_in, ames, rivera):
    page = sign_in(ames).get(reverse("case-detail", args=[rivera.pk]))
    html = page.content.decode()
    assert "Print report (PDF)" in html
    assert f'href="{report_url(rivera)}"' in html


def test_another_organizations_case_is_a_404_and_audited(sign_in, cole, rivera):
    response = sign_in(cole).get(report_url(rivera))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        user=cole, action="denied", object_type="case", object_id=str(rivera.pk)
    ).exists()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_clinician_not_on_the_case_gets_a_404(sign_in, baker, rivera):
    assert sign_in(baker).get(report_url(rivera)).status_code == 404


def test_a_supervisor_may_print_and_the_read_is_audited(sign_in, sam, rivera):
    response = sign_in(sam).get(report_url(rivera))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    # inline, named by the case's id, never kept
    assert response["Content-Disposition"] == (
        f'inline; filename="case-{rivera.pk}-report.pdf"'
    )
    assert "Rivera" not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    done = AuditEvent.objects.filter(user=sam, object_id=str(rivera.pk))
    assert set(done.values_list("action", flat=True)) >= {"read", "export"}


def test_without_pango_the_button_says_what_to_install(
    sign_in, ames, rivera, monkeypatch
):
    def no_pango(name):
        raise NO_PANGO

    monkeypatch.setattr(reports, "import_module", no_pango)
    client = sign_in(ames)
    response = client.get(report_url(rivera))
    assert response.status_code == 503
    page = response.content.decode()
    assert "apt install libpango-1.0-0 libpangoft2-1.0-0" in page
    assert "cannot load library" in page
    assert not AuditEvent.objects.filter(action="export").exists()
    # everything else keeps working
    assert client.get(reverse("case-detail", args=[rivera.pk])).status_code == 200


def test_without_pango_the_command_says_what_to_install_and_writes_nothing(
    rivera, monkeypatch, tmp_path, capsys
):
    def no_pango(name):
        raise NO_PANGO

    monkeypatch.setattr(reports, "import_module", no_pango)
    out = tmp_path / "report.pdf"
    code = main(["report", "--case", str(rivera.pk), "--out", str(out)])
    assert code == 1
    assert "apt install libpango-1.0-0 libpangoft2-1.0-0" in capsys.readouterr().err
    assert not out.exists()


def test_the_command_names_a_case_or_organization_it_cannot_find(
    northside, tmp_path, capsys
):
    assert main(["report", "--case", "987654", "--out", str(tmp_path / "x.pdf")]) == 2
    assert "--case: no case with id 987654" in capsys.readouterr().err
    assert main(["report", "--organization", "nowhere", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no organization 'nowhere'" in err
    assert "northside" in err
    assert list(tmp_path.iterdir()) == []


class Terminal(StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_the_command_writes_each_open_case_of_an_organization_by_id(
    ames, rivera, tmp_path, monkeypatch
):
    from tether.care import services

    other = services.create_case(ames, "Okafor family", "family")
    closed = services.create_case(ames, "Nguyen", "individual")
    services.close_case(ames, closed.pk)
    made = []
    monkeypatch.setattr(
        reports, "render_pdf", lambda report: made.append(report.case.pk) or b"%PDF-"
    )
    monkeypatch.setattr(progress, "EVERY", 0.0)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    out = tmp_path / "all"
    assert main(["report", "--organization", "northside", "--out", str(out)]) == 0
    assert sorted(made) == sorted([rivera.pk, other.pk])
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"case-{pk}-report.pdf" for pk in made
    )
    # a progress bar on a terminal, then what was written
    assert "reports [########################] 2/2" in terminal.getvalue()
    assert terminal.getvalue().endswith(f"wrote 2 reports to {out}\n")
    terminal.truncate(0)
    terminal.seek(0)
    main(["report", "--organization", "northside", "--out", str(out), "--quiet"])
    assert "[" not in terminal.getvalue()


# ---- the parts --------------------------------------------------------------------


def test_letter_in_the_us_and_canada_a4_elsewhere():
    assert paper_for(Organization(crisis_region=CrisisRegion.US)) == LETTER
    assert paper_for(Organization(crisis_region=CrisisRegion.CA)) == LETTER
    assert paper_for(Organization(crisis_region=CrisisRegion.GB)) == A4


def test_a_long_case_keeps_its_intake_and_latest_sessions_in_the_tables():
    assert shown_sessions(range(1, 13)) == list(range(1, 13))
    assert shown_sessions(range(1, 31)) == [1, None, *range(20, 31)]
    assert len(shown_sessions(range(1, 31))) == 13


def test_changes_compare_the_latest_session_with_each_lines_previous_value():
    series = [
        ("Alliance", "Leo", [(1, 70.0), (2, 60.0), (4, 35.5)]),
        ("Alliance", "Maria", [(1, 75.0), (4, 75.0)]),
        ("Alliance", "Ana", [(1, 50.0), (3, 55.0)]),  # nothing at session 4
        ("PCL-5", "Leo", [(4, 40.0)]),  # nothing to compare with
    ]
    changes = changes_since(series, 4)
    assert changes == [
        Change("Alliance", "Leo", "60", 2, "35.5", "−24.5"),
        Change("Alliance", "Maria", "75", 1, "75", "0"),
    ]
    [alliance] = by_measure(changes)
    assert [c.who for c in alliance.moved] == ["Leo"]
    assert alliance.same == ["Maria"]


def test_the_pcl5_figure_names_its_cutoff_band_and_expected_curves():
    lines = [
        Series("member:1", "Leo", "#0072B2", ((1, 50.0), (2, 44.0))),
        Series("expected", "Expected", "#5b6775", ((1, 50.0), (2, 45.0)), dashed=True),
        Series("upper80", "80% bound", "#b07800", ((1, 58.0), (2, 53.0)), dashed=True),
    ]
    panel = draw(
        "pcl5-chart", "PTSD symptoms (PCL-5)", "", lines, (1, 2), (0, 80),
        x_title="Session", y_title="PCL-5 total (0–80)",
    )  # fmt: skip
    charts = CaseCharts(
        pcl5=panel,
        pcl5_table=[
            {"member": "Leo", "session": 1, "diagnosis": "criteria met"},
            {"member": "Leo", "session": 2, "diagnosis": "criteria not met"},
        ],
        pcl5_info={
            "reference": "Leo",
            "intake": 50,
            "cutoff": 33.0,
            "cutoff_label": "probable PTSD",
            "change_alert": 10.0,
            "change_basis": "clinically meaningful",
            "expected": True,
        },
        cautions={"pcl5": "Not a diagnosis.", "not_computed": "—: not computed."},
    )
    figure = reports._pcl5(charts)
    assert "cutoff 33 (probable PTSD)" in figure.caption
    assert "Leo’s intake 50 ± 10, the clinically meaningful change" in figure.caption
    assert "with their 80% and 90% upper bounds" in figure.caption
    # the expected curves are guides: the table holds Leo's totals only
    assert figure.table.rows == [("Leo", ["50", "44"])]
    assert figure.notes[0].endswith("session 2: criteria not met.")


def test_an_administrator_alone_reads_no_case_report(sign_in, ada, rivera):
    assert sign_in(ada).get(report_url(rivera)).status_code == 404
