"""How dates, times, sizes and counts read: one rule each (core/text.py), London time for every moment shown."""
from datetime import date, datetime, timedelta, timezone

import pytest

from compliance.core.text import clock, file_size, london, london_day, long_date, plural, shorten, slug, when


def test_a_stored_moment_reads_in_london_time_in_winter_and_in_summer():
    assert when("2026-03-05T14:07:00+00:00") == "5 March 2026 at 2:07pm"  # GMT: as stored
    assert when("2026-06-30T13:07:00+00:00") == "30 June 2026 at 2:07pm"  # BST: an hour ahead
    assert when(datetime(2026, 7, 1, 11, 5, tzinfo=timezone.utc)) == "1 July 2026 at 12:05pm"
    assert when("2026-01-02T00:30:00") == "2 January 2026 at 12:30am"  # naive means UTC, as stored
    assert when(None) == when("") == ""


def test_the_date_of_a_late_evening_moment_is_londons_date_not_utcs():
    late = "2026-06-30T23:30:00+00:00"  # 00:30 on 1 July in London
    assert long_date(late) == "1 July 2026"
    assert london(late).date() == date(2026, 7, 1)
    assert clock(late) == "12:30am"


def test_a_plain_date_reads_as_written():
    assert long_date("2026-06-30") == long_date(date(2026, 6, 30)) == "30 June 2026"
    assert long_date(None) == ""


@pytest.mark.parametrize(("size", "text"), [(1, "1 byte"), (512, "512 bytes"), (14 * 1024, "14 KB"),
                                            (20 * 1024 * 1024, "20 MB"), (int(2.5 * 1024 * 1024), "2.5 MB")])
def test_file_sizes(size, text):
    assert file_size(size) == text


def test_counts_with_their_nouns_and_names_as_slugs():
    assert [plural(1, "organisation"), plural(2, "organisation"), plural(1, "person", "people"),
            plural(1200, "person", "people")] == ["1 organisation", "2 organisations", "1 person", "1,200 people"]
    assert slug("Haven Lane Women’s Aid") == slug("Haven Lane Women's Aid") == "haven-lane-womens-aid"


def test_a_london_day_runs_from_londons_midnight_to_the_next_in_utc():
    assert london_day(date(2026, 7, 1)) == (datetime(2026, 6, 30, 23, tzinfo=timezone.utc),  # BST: an hour behind
                                            datetime(2026, 7, 1, 23, tzinfo=timezone.utc))
    assert london_day(date(2026, 12, 1)) == (datetime(2026, 12, 1, tzinfo=timezone.utc),  # GMT: as in UTC
                                             datetime(2026, 12, 2, tzinfo=timezone.utc))
    start, end = london_day(date(2026, 3, 29))  # the clocks go forward: a day of 23 hours
    assert (start, end - start) == (datetime(2026, 3, 29, tzinfo=timezone.utc), timedelta(hours=23))
    start, end = london_day(date(2026, 10, 25))  # and back: 25 hours
    assert (start, end - start) == (datetime(2026, 10, 24, 23, tzinfo=timezone.utc), timedelta(hours=25))


def test_shorten_cuts_long_text_at_a_word_with_an_ellipsis():
    assert shorten("Short text\nstays  whole", 40) == "Short text stays whole"
    cut = shorten("We ask every person who uses our service about domestic abuse, in private.", 40)
    assert cut == "We ask every person who uses our…" and len(cut) <= 40
    assert shorten("x" * 100, 10) == "x" * 9 + "…"
