"""The rules of running a cycle that need no database: when scheduled reminders go out."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from compliance.core.returns import cadence_text, next_reminder_date, parse_reminder_days, reminder_due

# Scheduled reminders ------------------------------------------------------------------------------


def test_scheduled_reminders_go_14_7_and_1_days_before_then_the_day_after_and_weekly_while_overdue():
    due = date(2027, 1, 4)
    sent = {(due - date.fromordinal(day)).days for day in range(due.toordinal() - 30, due.toordinal() + 30)
            if reminder_due(date.fromordinal(day), due, (14, 7, 1), 7) is not None}
    assert sorted(sent, reverse=True) == [14, 7, 1, -1, -8, -15, -22, -29]
    assert reminder_due(due - timedelta(days=7), due, (14, 7, 1), 7) == 7
    assert reminder_due(due + timedelta(days=8), due, (14, 7, 1), 7) == -8
    assert reminder_due(due + timedelta(days=8), due, (14, 7, 1), 0) is None, "0: no reminders while overdue"
    assert reminder_due(due, due, (0,), 7) == 0, "0 days before is the due date itself"


@pytest.mark.parametrize("typed, days", [("14, 7, 1", (14, 7, 1)), ("1,7;14,7", (14, 7, 1)), ("", ())])
def test_reminder_days_are_read_as_typed(typed, days):
    assert parse_reminder_days(typed) == days


@pytest.mark.parametrize("typed, says", [("two weeks", "whole numbers"), ("-1", "whole numbers"),
                                         ("400", "365 or fewer")])
def test_reminder_days_that_cannot_be_read_say_how_to_write_them(typed, says):
    with pytest.raises(ValueError, match=says):
        parse_reminder_days(typed)


def test_the_cadence_reads_as_a_sentence():
    assert cadence_text((14, 7, 1), 7) == ("Reminders go out on their own 14, 7 and 1 days before the due date, "
                                           "then the day after it and then every week while a return is overdue")
    assert cadence_text((1,), 0) == "Reminders go out on their own 1 day before the due date"
    assert cadence_text((), 0) == "No reminders go out on their own for this cycle"


def test_the_next_reminder_date_is_the_first_day_from_today_the_cadence_names():
    due = date(2027, 1, 4)
    assert next_reminder_date(date(2026, 12, 5), due, (14, 7, 1), 7) == date(2026, 12, 21)
    assert next_reminder_date(date(2026, 12, 21), due, (14, 7, 1), 7) == date(2026, 12, 21), "today counts"
    assert next_reminder_date(date(2027, 1, 6), due, (14, 7, 1), 7) == date(2027, 1, 12)
    assert next_reminder_date(date(2027, 1, 6), due, (14, 7, 1), 0) is None
