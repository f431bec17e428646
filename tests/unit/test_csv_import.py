"""Checking a CSV file of organisations: every row checked, all or nothing."""
from __future__ import annotations

import pytest

from compliance.core.csv_import import MAX_ROWS, Problem, check_organisations
from compliance.core.sectors import parse_sectors
from tests.builders import SECTORS

HEADER = "name,sector,contact_name,contact_email\n"


def check(text: str | bytes, existing=()):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return check_organisations(data, existing_names=set(existing), sectors=SECTORS)


def test_a_valid_file_gives_every_organisation_with_sector_codes():
    result = check(HEADER + "Police Force,police,Sam,sam@police.example\nA Trust,Health (NHS),,\n")
    assert result.problems == []
    assert result.organisations == [
        {"name": "Police Force", "sector": "police", "contact_name": "Sam", "contact_email": "sam@police.example"},
        {"name": "A Trust", "sector": "health", "contact_name": "", "contact_email": ""},
    ]


def test_a_byte_order_mark_crlf_line_ends_any_column_order_and_case_and_spaces_are_fine():
    text = "\ufeff Contact_Email , NAME,Sector,contact_name\r\n  x@y.example , Housing Co ,HOUSING,  Jo \r\n\r\n"
    result = check(text)
    assert result.organisations == [{"name": "Housing Co", "sector": "housing", "contact_name": "Jo",
                                     "contact_email": "x@y.example"}]


@pytest.mark.parametrize("sector", ["local-authority", "LOCAL-AUTHORITY", "Local authority", "local AUTHORITY"])
def test_a_sector_may_be_its_code_or_its_label_in_any_case(sector):
    assert check(HEADER + f"Council,{sector},,\n").organisations[0]["sector"] == "local-authority"


def test_the_added_sectors_are_accepted_by_name_or_id():
    result = check(HEADER + "Fire,Fire and rescue,,\nAmbulance Trust,ambulance,,\nHMP Example,Prisons,,\n"
                            "Minds,mental health,,\nRecovery,Substance misuse (drug and alcohol services),,\n"
                            "Surgery,PRIMARY-CARE,,\n")
    assert result.problems == []
    assert [o["sector"] for o in result.organisations] == ["fire-and-rescue", "ambulance", "prisons", "mental-health",
                                                          "substance-misuse", "primary-care"]


def test_a_partnerships_own_sectors_are_the_ones_accepted():
    own = parse_sectors('[[sectors]]\nid = "fire"\nname = "Fire service"\n\n[[sectors]]\nid = "nhs"\nname = "NHS"\n',
                        name="own.toml")
    result = check_organisations((HEADER + "A,fire service,,\nB,police,,\n").encode(), existing_names=(),
                                 sectors=own)
    assert [(p.row, p.message) for p in result.problems] == [
        (3, "police is not one of the partnership's sectors. Enter one of: Fire service, NHS (or the sector's id)")]


def test_quoted_cells_with_commas_and_line_breaks_are_one_cell():
    result = check(HEADER + '"Smith, Jones and Partners",voluntary,"Line one\nline two",\nNext,police,,\n')
    assert [o["name"] for o in result.organisations] == ["Smith, Jones and Partners", "Next"]


def test_every_bad_row_is_reported_with_its_spreadsheet_row_number_and_nothing_is_returned():
    text = HEADER + (
        "Good,police,,\n"             # row 2
        ",police,,\n"                 # row 3
        "Unknown,aliens,,\n"          # row 4
        "No Sector,,,\n"              # row 5
        "Bad Mail,police,,nope\n"     # row 6
        "good,health,,\n"             # row 7: repeats row 2
        "Existing Org,police,,\n"     # row 8
        "Short,police\n"              # row 9: a cell missing
    )
    result = check(text, existing={"existing org"})
    assert result.organisations == []
    assert [(p.row, p.column) for p in result.problems] == [
        (3, "name"), (4, "sector"), (5, "sector"), (6, "contact_email"), (7, "name"), (8, "name"), (9, ""),
    ]
    messages = {p.row: p.message for p in result.problems}
    assert messages[3] == "Enter the organisation's name"
    assert messages[4] == ("aliens is not one of the partnership's sectors. Enter one of: Ambulance, Education, "
                           "Fire and rescue, Health (NHS), Housing, Local authority, Mental health, Police, "
                           "Primary care (GPs), Prisons, Probation, Specialist domestic abuse service, "
                           "Substance misuse (drug and alcohol services), Other voluntary and community "
                           "(or the sector's id)")
    assert messages[5].startswith("Enter the sector: one of Ambulance, Education,")
    assert messages[6] == "Enter the contact's email address in the correct format, like name@example.org"
    assert messages[7] == "good is also on row 2. Each organisation must appear once"
    assert messages[8] == "An organisation called Existing Org already exists"
    assert messages[9] == "This row has 2 cells but there are 4 columns. Put each value in its own column"
    assert result.rows_with_problems == 7 and result.file_problem is None


def test_a_row_can_have_several_problems():
    result = check(HEADER + ",nowhere,," + "\n")
    assert [(p.row, p.column) for p in result.problems] == [(2, "name"), (2, "sector")]


def test_cells_over_200_characters_are_refused():
    long = "x" * 201
    result = check(HEADER + f"{long},police,{long},\nFine,police,{'y' * 200},\n")
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (2, "name", "Name must be 200 characters or fewer"),
        (2, "contact_name", "Contact name must be 200 characters or fewer"),
    ]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The selected file is empty"),
    (b"  \r\n\n", "The selected file is empty"),
    (b"\xff\xfe\x00n\x00a\x00m\x00e", "The selected file must be a CSV file saved as UTF-8 text"),
    (b"PK\x03\x04\x14\x00\x06\x00", "The selected file must be a CSV file saved as UTF-8 text"),
    ("name,sector,contact_name,contact_email\n".encode(), "The selected file has column names but no organisations"),
    (b"name,sector\nA,police\n", "The first row must hold the column names name, sector, contact_name, "
                                 "contact_email. Missing: contact_name, contact_email."),
    (b"name,sector,contact_name,contact_email,phone,\nA,police,,,1,\n",
     "Not allowed: phone, (a column with no name)."),
    (b"name,name,sector,contact_name,contact_email\n", "Repeated: name."),
    (b'name,sector,contact_name,contact_email\n"Bad"quote,police,,\n', "The selected file is not a valid CSV file"),
])
def test_a_file_that_cannot_be_read_gives_one_problem_for_the_whole_file(data, message):
    result = check(data)
    assert result.organisations == []
    [problem] = result.problems
    assert problem.row is None and message in problem.message
    assert result.file_problem == problem


def test_at_most_1000_rows_at_a_time():
    assert len(check(HEADER + "".join(f"Org {n},police,,\n" for n in range(MAX_ROWS))).organisations) == MAX_ROWS
    too_many = check(HEADER + "".join(f"Org {n},police,,\n" for n in range(MAX_ROWS + 1)))
    assert too_many.problems == [Problem(None, "", "The selected file has 1,001 organisations. Import 1,000 or fewer "
                                                   "at a time: split the file into smaller files")]


def test_a_file_over_1_mb_is_refused_before_it_is_read():
    result = check(HEADER.encode() + b"x" * (1024 * 1024))
    assert result.problems[0].message == "The selected file must be smaller than 1 MB"


def test_existing_names_match_ignoring_case_and_spaces():
    result = check(HEADER + "  safer HOMES trust ,housing,,\n", existing={"Safer Homes Trust"})
    assert result.problems[0].message == "An organisation called safer HOMES trust already exists"
