"""Accreditations: the schemes list as data (the shipped file, and what a broken one is told), the expiry rule judged
against a day passed in, and how a statement holds and prints them (escaped, in HTML's sense and ReportLab's)."""
from __future__ import annotations

import subprocess
from datetime import date

import pytest

from compliance.config import DEFAULTS, read_accreditation_schemes
from compliance.core.accreditation_schemes import Scheme, Schemes, SchemesError, parse_schemes
from compliance.core.accreditations import (
    CURRENT,
    EXPIRED,
    EXPIRING,
    EXPIRING_WITHIN,
    NO_EXPIRY,
    as_held,
    expiry_state,
    expiry_text,
    flags_text,
    held_on,
    record,
)
from compliance.core.statements import build_statement
from compliance.render.pdf import render_statement_pdf
from tests.builders import FRAMEWORKS, HOSTILE, SHA, document

TODAY = date(2026, 12, 5)


# The expiry rule ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("expires", "state"), [
    (None, NO_EXPIRY), ("", NO_EXPIRY),
    ("2026-12-04", EXPIRED),  # the day after its expiry date
    ("2026-12-05", EXPIRING),  # it holds on the expiry date itself
    ("2027-03-05", EXPIRING),  # 90 days ahead: the last day flagged
    ("2027-03-06", CURRENT),  # 91 days ahead
    (date(2030, 1, 1), CURRENT),
])
def test_an_accreditation_is_expired_after_its_date_and_expiring_within_90_days_of_the_day_given(expires, state):
    assert EXPIRING_WITHIN.days == 90
    assert expiry_state(expires, TODAY) == state


def test_the_rule_is_judged_against_the_day_passed_in_never_the_clock():
    assert expiry_state("2020-01-10", date(2019, 12, 1)) == EXPIRING
    assert expiry_state("2020-01-10", date(2019, 1, 1)) == CURRENT
    assert expiry_state("2020-01-10", date(2020, 1, 11)) == EXPIRED


@pytest.mark.parametrize(("expires", "at_signing", "words"), [
    ("2026-12-01", False, "Expired on 1 December 2026"),
    ("2026-12-01", True, "Expired on 1 December 2026, before the statement was signed"),
    ("2026-12-05", False, "Expires today, 5 December 2026"),
    ("2026-12-05", True, "Expires on 5 December 2026, the day the statement was signed"),
    ("2026-12-06", False, "Expires on 6 December 2026, 1 day from today"),
    ("2027-01-19", False, "Expires on 19 January 2027, 45 days from today"),
    ("2027-01-19", True, "Expires on 19 January 2027, 45 days after the statement was signed"),
    ("2029-05-18", False, "Expires on 18 May 2029"),
    (None, False, "Does not expire"),
])
def test_the_expiry_is_said_in_words(expires, at_signing, words):
    assert expiry_text(expires, TODAY, at_signing=at_signing) == words


def _record(scheme="respect", name="Respect accreditation", level="Full accreditation", awarded="2025-07-23",
            expires="2027-01-19", reference="R-1"):
    return record({"scheme": scheme, "level": level, "awarded_on": awarded, "expires_on": expires,
                   "reference": reference, "evidence_id": 4, "evidence_kind": "file", "evidence_title": "Certificate",
                   "evidence_url": None, "evidence_filename": "certificate.pdf", "evidence_sha256": "ab" * 32},
                  scheme_name=name)


def test_a_record_is_kept_as_plain_values_and_read_with_its_tag_and_words():
    kept = _record()
    assert kept == {"scheme": "respect", "scheme_name": "Respect accreditation", "level": "Full accreditation",
                    "awarded_on": "2025-07-23", "expires_on": "2027-01-19", "reference": "R-1",
                    "evidence": {"kind": "file", "title": "Certificate", "url": None, "filename": "certificate.pdf",
                                 "sha256": "ab" * 32}}
    held = as_held(kept, TODAY)
    assert (held.name, held.awarded, held.expires, held.tag, held.flagged) == (
        "Respect accreditation (Full accreditation)", "23 July 2025", "19 January 2027", "Expires soon", True)
    assert held.state_text == "Expires on 19 January 2027, 45 days from today"
    assert (held.evidence_title, held.evidence_location) == ("Certificate", "certificate.pdf")
    assert as_held(_record(level="", expires=None), TODAY).name == "Respect accreditation"
    assert as_held(_record(expires=None), TODAY).tag == "Does not expire"


def test_without_a_day_nothing_is_flagged():
    held = as_held(_record(expires="2026-01-01"), None)
    assert (held.state, held.state_text, held.flagged) == (CURRENT, "Expires on 1 January 2026", False)


def test_a_statement_holds_those_awarded_by_its_day_by_scheme_name_newest_award_first():
    records = [_record(name="White Ribbon accreditation", awarded="2024-01-01"),
               _record(name="DAHA accreditation", awarded="2025-01-01"),
               _record(name="DAHA accreditation", awarded="2026-01-01"),
               _record(name="Make a Stand pledge", awarded="2026-12-06")]
    held = held_on(records, TODAY)
    assert [(r["scheme_name"], r["awarded_on"]) for r in held] == [
        ("DAHA accreditation", "2026-01-01"), ("DAHA accreditation", "2025-01-01"),
        ("White Ribbon accreditation", "2024-01-01")]


def test_the_flags_are_counted_in_words():
    held = [as_held(_record(expires=e), TODAY) for e in ("2026-01-01", "2026-12-20", "2027-01-01", "2030-01-01")]
    assert flags_text(held) == "1 has expired and 2 expire within 90 days"
    assert flags_text(held[1:2]) == "1 expires within 90 days"
    assert flags_text(held[3:]) == ""


# The schemes file --------------------------------------------------------------------------------------------------

def test_the_shipped_schemes_file_has_the_issues_schemes_one_with_levels_and_one_that_never_expires():
    schemes = read_accreditation_schemes(DEFAULTS["ACCREDITATIONS_FILE"])
    assert list(schemes) == ["daha", "safelives-leading-lights", "white-ribbon", "respect", "make-a-stand"]
    assert schemes["respect"].levels == ("Safe minimum practice", "Full accreditation")
    assert (schemes["daha"].years, schemes["daha"].expires, schemes["daha"].length_text) == (
        3, True, "Usually lasts 3 years")
    assert (schemes["make-a-stand"].expires, schemes["make-a-stand"].length_text) == (False, "Does not expire")
    assert all(scheme.purpose.endswith(".") for scheme in schemes.values())


def scheme(id_='"white-ribbon"', name='"White Ribbon accreditation"', purpose='"Ending violence."', extra="",
           expires="true", years="3") -> str:
    lines = ["[[schemes]]"] + [f"{key} = {value}" for key, value in
                               (("id", id_), ("name", name), ("purpose", purpose), ("expires", expires),
                                ("years", years)) if value is not None]
    return "\n".join(lines + ([extra] if extra else [])) + "\n\n"


def test_a_good_file_with_levels_and_a_byte_order_mark_is_read():
    found = parse_schemes(b"\xef\xbb\xbf" + (scheme(extra='levels = [" Bronze ", "Silver"]')
                                             + scheme('"pledge"', '"A pledge"', expires="false", years=None)).encode(),
                          name="own.toml")
    assert found == Schemes([Scheme("white-ribbon", "White Ribbon accreditation", "Ending violence.",
                                    ("Bronze", "Silver"), 3), Scheme("pledge", "A pledge", "Ending violence.")])
    assert found.name("gone", "Stored name") == "Stored name" and found.name("gone") == "gone"
    assert found.name("pledge", "Old name") == "A pledge"


BROKEN = {
    "not TOML": ('[[schemes]]\nid = "daha\n',
                 ["own.toml: line 2, column 11: Illegal character '\\n' (not valid TOML); write each scheme as a "
                  "[[schemes]] table with an id, a name, a purpose and whether it expires"]),
    "no schemes": ("", ["own.toml: schemes: is missing; write each scheme as a [[schemes]] table with an id, a name, "
                        "a purpose and whether it expires"]),
    "a repeated id": (scheme() + scheme(name='"Other"'),
                      ['own.toml: schemes[2].id: "white-ribbon" is used twice (also by schemes[1]); give each scheme '
                       'its own id']),
    "a bad id": (scheme('"White Ribbon"'),
                 ['own.toml: schemes[1].id: "White Ribbon" is not a valid id; use lower case letters and digits, with '
                  'single hyphens between them, e.g. "white-ribbon"']),
    "no name": (scheme(name=None),
                ['own.toml: schemes[1].name: is missing; add the name people read, e.g. name = "White Ribbon '
                 'accreditation"']),
    "a purpose on two lines": (scheme(purpose='"Ending\\nviolence"'),
                               ['own.toml: schemes[1].purpose: "Ending\\nviolence" has a line break or other control '
                                'character; keep it on one line']),
    "one level": (scheme(extra='levels = ["Gold"]'),
                  ['own.toml: schemes[1].levels: has only one level; list its levels in quotes, lowest first, e.g. '
                   'levels = ["Bronze", "Silver", "Gold"]; or leave levels out']),
    "a level twice": (scheme(extra='levels = ["Gold", "gold"]'),
                      ['own.toml: schemes[1].levels[2]: "gold" is listed twice; give each level its own name']),
    "levels not a list": (scheme(extra='levels = "Gold"'),
                          ['own.toml: schemes[1].levels: must be a list of text; list its levels in quotes, lowest '
                           'first, e.g. levels = ["Bronze", "Silver", "Gold"]; or leave levels out']),
    "expires in quotes": (scheme(expires='"yes"'),
                          ["own.toml: schemes[1].expires: must be true or false, without quotes; write expires = true "
                           "if an accreditation runs out and must be renewed, or expires = false if it does not"]),
    "years without expiring": (scheme(expires="false"),
                               ["own.toml: schemes[1].years: is given, but the scheme does not expire; leave years "
                                "out, or write expires = true"]),
    "expiring without years": (scheme(years=None),
                               ["own.toml: schemes[1].years: is missing; say how many years an accreditation usually "
                                "lasts, e.g. years = 3"]),
    "years out of range": (scheme(years="30"),
                           ["own.toml: schemes[1].years: must be a whole number of years from 1 to 10, without "
                            "quotes, e.g. years = 3"]),
    "an unknown field": (scheme(extra='website = "https://example.org"'),
                         ["own.toml: schemes[1].website: is not a field of a scheme; a scheme has only id, name, "
                          "purpose, levels, expires, years"]),
    "an unknown table": ('[scheme]\nid = "x"\n',
                         ["own.toml: scheme: is not part of a schemes file; it holds only [[schemes]] tables: write "
                          "each scheme as a [[schemes]] table with an id, a name, a purpose and whether it expires",
                          "own.toml: schemes: is missing; write each scheme as a [[schemes]] table with an id, a name, "
                          "a purpose and whether it expires"]),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_schemes_file_is_refused_with_every_problem_its_place_and_how_to_fix_it(case):
    text, expected = BROKEN[case]
    with pytest.raises(SchemesError) as raised:
        parse_schemes(text, name="own.toml")
    assert raised.value.errors == expected


def test_a_missing_file_says_which_setting_names_it(tmp_path):
    with pytest.raises(SchemesError) as raised:
        read_accreditation_schemes(tmp_path / "nowhere.toml")
    assert raised.value.errors == [f"{tmp_path / 'nowhere.toml'}: (file): cannot be read (No such file or "
                                   "directory); check the path in COMPLIANCE_ACCREDITATIONS_FILE"]


# On the statement ---------------------------------------------------------------------------------------------------

def _document(held):
    found = document()
    found["accreditations"] = held
    return found


def test_a_signed_statement_judges_its_accreditations_on_the_day_it_was_signed():
    # signed on 5 March 2026: expiring within 90 days then, long expired by any later day the statement is read
    held = [_record(expires="2026-04-01")]
    statement = build_statement(_document(held), FRAMEWORKS, submitted=True, sha256=SHA, version=2,
                                today=date(2030, 1, 1))
    assert [(h.tag, h.state_text) for h in statement.accreditations] == [
        ("Expires soon", "Expires on 1 April 2026, 27 days after the statement was signed")]
    assert statement.accreditations_flagged == "1 expires within 90 days"
    draft = build_statement(_document(held), FRAMEWORKS, submitted=False, sha256=None, version=None,
                            today=date(2030, 1, 1))
    assert draft.accreditations[0].tag == "Expired"


def test_a_document_without_accreditations_has_no_section_and_an_empty_list_says_none_were_held():
    assert build_statement(document(), FRAMEWORKS, submitted=True, sha256=SHA, version=2).accreditations is None
    assert build_statement(_document([]), FRAMEWORKS, submitted=True, sha256=SHA, version=2).accreditations == ()


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_the_pdf_prints_typed_text_as_typed_with_the_flag_in_words(tmp_path):
    held = [_record(reference=HOSTILE, name="Respect & <partners>", expires="2026-04-01"),
            _record(name="Make a Stand pledge", level="", expires=None, reference="")]
    pdf = render_statement_pdf(build_statement(_document(held), FRAMEWORKS, submitted=True, sha256=SHA, version=2),
                               invariant=True)
    found = " ".join(_pdf_text(pdf, tmp_path).split())
    assert "Accreditations held at signing" in found
    assert "Respect & <partners> (Full accreditation) EXPIRES SOON" in found
    assert f"Reference {HOSTILE}" in found
    assert "Flagged on the day it was signed: 1 expires within 90 days." in found
    assert "Make a Stand pledge" in found and "Does not expire" in found
    assert "Evidence: certificate.pdf. SHA-256 abababababab" in found


def test_a_draft_pdf_says_none_are_recorded(tmp_path):
    pdf = render_statement_pdf(build_statement(_document([]), FRAMEWORKS, submitted=False, sha256=None,
                                               version=None, today=TODAY))
    found = " ".join(_pdf_text(pdf, tmp_path).split())
    assert "Accreditations held No accreditations recorded." in found
