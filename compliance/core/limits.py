"""How long each kind of text may be: one number each, used by the forms' checks, the core's rules and the pages'
character counts (templates read them as `limits.NARRATIVE` and so on)."""
from __future__ import annotations

NARRATIVE = 5000  # an answer's explanation
REASON = 2000  # why a requirement does not apply
COMMENT = 5000  # an auditor's comment, and what a statement returned for amendment must change
ACTION = 1000  # what an improvement action will do
TITLE = 200  # an evidence item's title, an action's owner
NAME = 200  # a person's or an organisation's name, a job title
URL = 2000  # a web address given as evidence
DECLARATION = 2000  # the declaration a signatory confirms


def too_long(what: str, limit: int) -> str:
    """The message for text over its limit: "Comment must be 5,000 characters or fewer"."""
    return f"{what} must be {limit:,} characters or fewer"
