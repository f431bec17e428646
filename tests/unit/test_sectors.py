"""The partnership's sectors as data: the shipped sectors.toml, and what a broken sectors file is told."""
from __future__ import annotations

import pytest

from compliance.config import DEFAULTS, read_sectors
from compliance.core.sectors import Sectors, SectorsError, parse_sectors
from tests.builders import SECTORS

# Ids stored by organisations and named by shipped frameworks before the list became a file: never changed.
FIRST_IDS = {"police": "Police", "probation": "Probation", "health": "Health (NHS)",
             "local-authority": "Local authority", "housing": "Housing",
             "specialist": "Specialist domestic abuse service", "education": "Education",
             "voluntary": "Other voluntary and community"}
ADDED = {"fire-and-rescue": "Fire and rescue", "ambulance": "Ambulance", "prisons": "Prisons",
         "mental-health": "Mental health", "substance-misuse": "Substance misuse (drug and alcohol services)",
         "primary-care": "Primary care (GPs)"}
GOOD = '[[sectors]]\nid = "police"\nname = "Police"\n\n[[sectors]]\nid = "health"\nname = "Health (NHS)"\n'


def test_the_shipped_file_keeps_every_first_id_and_adds_the_missing_sectors():
    assert dict(SECTORS) == {**FIRST_IDS, **ADDED}
    assert read_sectors(DEFAULTS["SECTORS_FILE"]) == SECTORS


def test_the_order_is_the_files_and_other_comes_last():
    assert list(SECTORS)[:3] == ["ambulance", "education", "fire-and-rescue"]
    assert list(SECTORS)[-1] == "voluntary"
    assert [SECTORS.position(sector) for sector in SECTORS] == list(range(len(SECTORS)))


def test_a_sector_is_found_by_its_id_or_name_in_any_case():
    assert SECTORS.find("FIRE AND RESCUE") == SECTORS.find(" fire-and-rescue ") == "fire-and-rescue"
    assert SECTORS.find("Primary care (GPs)") == "primary-care"
    assert SECTORS.find("fire service") is None


def test_an_id_the_list_no_longer_has_is_shown_as_it_is_and_comes_last():
    sectors = parse_sectors(GOOD, name="own.toml")
    assert (sectors.name("probation"), sectors.position("probation")) == ("probation", 2)
    assert (sectors.name("health"), sectors.position("health")) == ("Health (NHS)", 1)


def test_surrounding_spaces_are_trimmed_and_a_byte_order_mark_is_fine():
    sectors = parse_sectors(b"\xef\xbb\xbf" + GOOD.replace('"Police"', '"  Police "').encode(), name="own.toml")
    assert sectors == Sectors([("police", "Police"), ("health", "Health (NHS)")])


def sector(id_: str | None = "police", name: str | None = "Police", extra: str = "") -> str:
    lines = ["[[sectors]]"] + ([f'id = "{id_}"'] if id_ is not None else []) + \
            ([f'name = "{name}"'] if name is not None else []) + ([extra] if extra else [])
    return "\n".join(lines) + "\n\n"


BROKEN = {
    "a repeated id": (
        sector() + sector("police", "Police service"),
        ['own.toml: sectors[2].id: "police" is used twice (also by sectors[1]); give each sector its own id']),
    "a repeated name, in another case": (
        sector() + sector("police-2", "POLICE"),
        ['own.toml: sectors[2].name: "POLICE" is used twice (also by sectors[1]); give each sector its own name']),
    "a missing name": (
        sector() + sector("prisons", None),
        ['own.toml: sectors[2].name: is missing; add the name people read, e.g. name = "Fire and rescue"']),
    "a blank name": (
        sector(name="  "),
        ['own.toml: sectors[1].name: is empty; write the name people read, e.g. name = "Fire and rescue"']),
    "a missing id": (
        sector(None),
        ['own.toml: sectors[1].id: is missing; add its id, e.g. id = "fire-and-rescue"']),
    "an id that is not lower case and hyphens": (
        sector("Fire Service", "Fire"),
        ['own.toml: sectors[1].id: "Fire Service" is not a valid id; use lower case letters and digits, with single '
         'hyphens between them, e.g. "fire-and-rescue"']),
    "a name that is not text": (
        '[[sectors]]\nid = "police"\nname = 3\n',
        ['own.toml: sectors[1].name: must be text in quotes; write the name people read, e.g. name = "Fire and '
         'rescue"']),
    "a misspelt field": (
        sector(extra='label = "Police"'),
        ["own.toml: sectors[1].label: is not a field of a sector; give each sector only an id and a name"]),
    "a name on two lines": (
        '[[sectors]]\nid = "police"\nname = """Police\nservice"""\n',
        ['own.toml: sectors[1].name: "Police\\nservice" has a line break or other control character; keep it on one '
         "line"]),
    "no sectors at all": (
        "# nothing here\n",
        ["own.toml: sectors: is missing; add a [[sectors]] table for each sector, with its id and name"]),
    "sectors as a list of text": (
        'sectors = ["police", "health"]\n',
        ["own.toml: sectors: must be written as [[sectors]] tables; add a [[sectors]] table for each sector, with "
         "its id and name"]),
    "something else beside the sectors": (
        'title = "Ours"\n' + sector(),
        ["own.toml: title: is not part of a sectors file; it holds only [[sectors]] tables, each with an id and a "
         "name"]),
    "bad TOML": (
        '[[sectors]]\nid = "police\nname = "Police"\n',
        ["own.toml: line 2, column 13: Illegal character '\\n' (not valid TOML); write each sector as a [[sectors]] "
         "table with an id and a name"]),
}


@pytest.mark.parametrize(("text", "errors"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_file_names_the_file_the_place_and_what_to_fix(text, errors):
    with pytest.raises(SectorsError) as caught:
        parse_sectors(text, name="own.toml")
    assert caught.value.errors == errors


def test_every_problem_is_reported_at_once():
    with pytest.raises(SectorsError) as caught:
        parse_sectors(sector() + sector("police", None) + sector("Bad Id", "Bad"), name="own.toml")
    assert [error.split(": ")[1] for error in caught.value.errors] == ["sectors[2].id", "sectors[2].name",
                                                                       "sectors[3].id"]


def test_a_file_that_is_not_utf8_or_cannot_be_read_says_so(tmp_path):
    with pytest.raises(SectorsError) as caught:
        parse_sectors(b'[[sectors]]\nid = "police"\nname = "Polic\xe9"\n', name="own.toml")
    assert caught.value.errors == ["own.toml: (file): byte 40 is not UTF-8 text; save the file as UTF-8"]
    with pytest.raises(SectorsError) as caught:
        read_sectors(tmp_path / "missing.toml")
    assert caught.value.errors == [f"{tmp_path / 'missing.toml'}: (file): cannot be read (No such file or "
                                   "directory); check the path in COMPLIANCE_SECTORS_FILE"]
