"""Issue #12, points 5-7 in the browser: the entry date rule next to its field,
the chart to the target date with same-day values apart, the live character
counter, and closing a case with an open action."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import formats, timezone

from accounts.policy import Actor
from casework import services
from casework.models import Action, ActionStatus, Case, EntryKind
from tests.casework.factories import planned_case
from tests.e2e.conftest import DESKTOP, expect, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _overlap(a, b):
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_entry_dates_the_chart_the_counter_and_closing(new_page, live_server, world):
    case = planned_case(world)
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - datetime.timedelta(days=10))
    # A second value on the same day as the first one (and as the baseline).
    services.entry_add(
        case=case,
        actor=Actor(world.counselor),
        kind=EntryKind.PROGRESS_CHECK,
        date=timezone.localdate(),
        goal=case.goal,
        measured_value=Decimal("61"),
    )
    page = new_page(DESKTOP)
    sign_in(page, live_server.url, "counselor")

    # 6. A date before the case was opened is answered next to the date field.
    page.goto(f"{live_server.url}/cases/{case.pk}/entries/add/")
    page.fill("#id_date", "2020-01-01")
    page.get_by_label("Note").fill("Long ago")
    page.get_by_role("button", name="Add entry").click()
    expect(page.locator("#id_date")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#id_date").locator("xpath=..")).to_contain_text("before the case was opened")

    # 5. The counter counts as the user types.
    page.fill("#id_note", "Twelve chars")
    expect(page.locator("#id_note_count")).to_have_text("12 / 4,000 characters")

    # 6. The chart runs to the target date; values on one day and the baseline's label stay apart.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    chart = page.locator(f"#progress-{case.goal.pk} svg")
    target = formats.date_format(case.goal.target_date, "DATE_FORMAT")
    expect(chart.locator("text").last).to_have_text(target)
    dots = [c.bounding_box() for c in chart.locator("circle").all()]
    assert len(dots) == 2 and not _overlap(dots[0], dots[1])
    baseline = chart.locator("rect").bounding_box()
    assert all(not _overlap(baseline, d) for d in dots)
    labels = [t.bounding_box() for t in chart.locator("text[font-weight=bold]").all()]
    assert len(labels) == 2 and not _overlap(labels[0], labels[1])

    # 7. Closing asks what happens to the open action.
    # The case page fetches the form when its link is opened (static/js/on-demand-forms.js).
    box = page.locator("div.inline-form", has=page.get_by_role("link", name="Close the case"))
    box.get_by_role("link", name="Close the case").click()
    close = box.locator("[data-form-slot] form")
    close.get_by_label("Outcome").select_option(label="Improved")
    close.get_by_label("Final evaluation").fill("Scores rose; practice continues in class.")
    close.get_by_role("radio", name="Dropped").check()
    close.get_by_role("button", name="Close the case").click()
    expect(page.locator("#status")).to_contain_text("Outcome: Improved")
    expect(page.locator("#timeline")).to_contain_text("Action dropped")
    assert Action.objects.get(pk=case.action.pk).status == ActionStatus.CANCELLED
