"""How dates, times, sizes, counts and names read to people: one home for each, used by pages, PDFs and mail.

Times are stored in UTC (ISO 8601) and always shown in London time (GMT or BST, as the clocks say).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
KB, MB = 1024, 1024 * 1024


def _as_date(value: date | str) -> date:
    """A date as it is, or a moment's date in London (a stored moment has a time: 2026-06-30T23:30:00+00:00)."""
    if isinstance(value, datetime) or (isinstance(value, str) and len(value) > 10):
        return london(value).date()
    return value if isinstance(value, date) else date.fromisoformat(value)


def london(moment: datetime | str) -> datetime:
    """A stored moment (UTC, or naive meaning UTC) in London time."""
    at = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(LONDON)


def london_day(day: date) -> tuple[datetime, datetime]:
    """The moments (in UTC) a day in London starts and the next one starts: 23 or 25 hours apart on clock days."""
    start = datetime.combine(day, time(), tzinfo=LONDON)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=LONDON)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def long_date(value: date | str | None) -> str:
    """A date as people read it: 30 June 2026 (a moment's date is London's)."""
    if not value:
        return ""
    day = _as_date(value)
    return f"{day.day} {day:%B %Y}"


def clock(moment: datetime | str) -> str:
    """The time of day in London, as people write it: 2:07pm, 12:30am."""
    at = london(moment)
    return f"{at.hour % 12 or 12}:{at:%M}{'am' if at.hour < 12 else 'pm'}"


def when(moment: datetime | str | None) -> str:
    """A stored moment as people in the UK read it: 5 March 2026 at 2:07pm (London time)."""
    if not moment:
        return ""
    return f"{long_date(london(moment))} at {clock(moment)}"


def file_size(size: int) -> str:
    """A file's size, rounded for reading: 512 bytes, 14 KB, 2.5 MB."""
    if size < KB:
        return f"{size} byte{'' if size == 1 else 's'}"
    if size < MB:
        return f"{size / KB:.0f} KB"
    return f"{size / MB:.1f} MB".replace(".0 MB", " MB")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """A count with its noun: 1 organisation, 2 organisations, 1 person, 3 people."""
    return f"{count:,} {singular if count == 1 else plural_form or singular + 's'}"


def slug(value: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Haven Lane Women's Aid" -> "haven-lane-womens-aid"."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain.replace("'", "")).strip("-")


def shorten(value: str, limit: int) -> str:
    """Text on one line, cut at a word to at most `limit` characters with an ellipsis when it is longer."""
    flat = " ".join(value.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–") + "…"
