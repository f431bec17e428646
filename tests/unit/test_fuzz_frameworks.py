"""The framework loader against hostile files: random TOML, mutations of the shipped files, bytes that are not
TOML or not UTF-8, deep nesting and very large files.

Whatever the file, the loader either returns a framework or raises FrameworkError, whose every error is one line
`file: place: problem`, with a place a person can find in the file; and the admin's upload page answers with
those problems (or loads the file), never a 500. No tomli_w in the virtual environment, so TOML is written here.
"""
from __future__ import annotations

import io
import math
import re
import tomllib
from datetime import date, datetime, time, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context, event

from compliance import store
from compliance.core import frameworks as fw
from compliance.web.requests import get_db
from tests.builders import SECTORS, make_app, password_hash

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {path.name: path.read_bytes() for path in sorted((ROOT / "questionnaires").glob("*.toml"))}
MINIMAL = (ROOT / "tests" / "fixtures" / "frameworks" / "good-minimal.toml").read_bytes()
BASES = {**SHIPPED, "good-minimal.toml": MINIMAL}
NAME = "fuzz.toml"
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- writing TOML ---------------------------------------------------------------------------------------------


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    def escape(character: str) -> str:
        if character in '"\\':
            return "\\" + character
        if ord(character) < 0x20 or ord(character) == 0x7F:
            return f"\\u{ord(character):04x}"
        return character
    return '"' + "".join(map(escape, text)) + '"'


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("-inf" if value < 0 else "inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(document: dict) -> bytes:
    """Scalars and inline values first, then [tables] and [[arrays of tables]], as people write these files."""
    lines, tables = [], []
    for key, value in document.items():
        if isinstance(value, dict) and value:
            tables.append(f"\n[{toml_key(key)}]\n" + "".join(f"{toml_key(k)} = {toml_value(v)}\n"
                                                             for k, v in value.items()))
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            for item in value:
                tables.append(f"\n[[{toml_key(key)}]]\n" + "".join(f"{toml_key(k)} = {toml_value(v)}\n"
                                                                   for k, v in item.items()))
        else:
            lines.append(f"{toml_key(key)} = {toml_value(value)}\n")
    return ("".join(lines) + "".join(tables)).encode("utf-8")


def test_the_toml_writer_round_trips_the_shipped_files():
    for name, data in SHIPPED.items():
        document = tomllib.loads(data.decode("utf-8"))
        assert tomllib.loads(toml_document(document).decode("utf-8")) == document, name


# --- what a good answer from the loader looks like --------------------------------------------------------------

_SEGMENT = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*")'
PLACE = re.compile(rf"\(file\)|line \d+, column \d+|end of file|{_SEGMENT}(?:\.{_SEGMENT}|\[\d+\])*")


def assert_good_errors(errors, name: str = NAME) -> None:
    assert errors, "FrameworkError with no errors"
    for error in errors:
        assert isinstance(error, str) and error.startswith(f"{name}: "), error
        assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", error), f"not one printable line: {error!r}"
        rest = error[len(name) + 2:]
        place = PLACE.match(rest)
        assert place and rest[place.end():place.end() + 2] == ": " and rest[place.end() + 2:].strip(), \
            f"not file: place: problem: {error!r}"


def note(outcome: str) -> None:
    if currently_in_test_context():
        event(outcome)


def load(data: bytes, name: str = NAME):
    """parse() must give a Framework or a FrameworkError with good errors; any other exception fails the test."""
    try:
        framework = fw.parse(data, name=name, sectors=SECTORS)
    except fw.FrameworkError as error:
        assert_good_errors(error.errors, name)
        note("not valid TOML" if re.match(rf"{re.escape(name)}: (line|end of file)", error.errors[0])
             else f"{min(len(error.errors), 5)}{'+' if len(error.errors) >= 5 else ''} errors")
        return None
    note("loaded")
    assert isinstance(framework, fw.Framework) and len(framework.scale) >= 2 and framework.requirements
    assert fw.ID_PATTERN.fullmatch(framework.id) and fw.VERSION_PATTERN.fullmatch(framework.version)
    return framework


@pytest.mark.parametrize("name", sorted(BASES))
def test_every_base_file_loads(name):
    assert load(BASES[name]) is not None


# --- random TOML ------------------------------------------------------------------------------------------------

KNOWN_KEYS = sorted({key for keys in fw.FIELDS.values() for key in keys})
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=12))
scalars = st.one_of(
    st.text(max_size=30), st.sampled_from(["", " ", "met", "green", "grey", "draft", "published", "police",
                                           "percentage-met", "worst-rating-wins", "half-up", "a-b", "A B", "1.1"]),
    st.integers(min_value=-2**70, max_value=2**70), st.floats(), st.booleans(),
    st.dates(), st.datetimes(), st.datetimes(timezones=st.just(timezone.utc)), st.times())
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(keys, inner, max_size=4)), max_leaves=12)


@FUZZ
@given(document=st.dictionaries(keys, values, max_size=12))
def test_random_toml_gets_a_framework_or_errors_with_places(document):
    load(toml_document(document))


# --- mutations of the shipped files -----------------------------------------------------------------------------

def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _parent(document, path):
    node = document
    for step in path[:-1]:
        node = node[step]
    return node


@st.composite
def mutated_documents(draw):
    """A shipped file, parsed, with up to four changes: a key removed, a value of another type, an item repeated
    (a duplicate id), a field no one knows, or text changed."""
    document = tomllib.loads(BASES[draw(st.sampled_from(sorted(BASES)))].decode("utf-8"))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [path for path in _paths(document) if path]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, last = _parent(document, path), path[-1]
        action = draw(st.sampled_from(["delete", "replace", "repeat", "unknown", "text"]))
        if action == "delete":
            del parent[last]
        elif action == "replace":
            parent[last] = draw(values)
        elif action == "repeat" and isinstance(parent, list):
            parent.insert(last, parent[last])
        elif action == "unknown" and isinstance(parent[last], dict):
            parent[last][draw(keys)] = draw(values)
        elif isinstance(parent[last], str):
            parent[last] = draw(st.one_of(st.text(max_size=20), st.just(parent[last] + "\n\x00\u202e"),
                                          st.just(parent[last].upper()), st.just(" " * 3)))
    return document


@FUZZ
@given(document=mutated_documents())
def test_a_mutated_shipped_file_gets_a_framework_or_errors_with_places(document):
    load(toml_document(document))


@st.composite
def damaged_bytes(draw):
    """A shipped file's bytes cut, spliced, repeated or corrupted."""
    data = bytearray(BASES[draw(st.sampled_from(sorted(BASES)))])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        start = draw(st.integers(min_value=0, max_value=len(data)))
        end = draw(st.integers(min_value=start, max_value=min(len(data), start + 200)))
        action = draw(st.sampled_from(["cut", "insert", "repeat", "truncate", "flip"]))
        if action == "cut":
            del data[start:end]
        elif action == "insert":
            data[start:start] = draw(st.one_of(st.binary(max_size=20), st.sampled_from([
                b"\x00", b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\r", b"\n[[requirements]]\n", b'"""', b"'''",
                b"[", b"]]", b"=", b"\\u0000", b"\xef\xbb\xbf"])))
        elif action == "repeat":
            data[end:end] = data[start:end]
        elif action == "truncate":
            del data[start:]
        elif data:
            data[start % len(data)] ^= draw(st.integers(min_value=1, max_value=255))
    return bytes(data)


@FUZZ
@given(data=damaged_bytes())
def test_damaged_bytes_get_a_framework_or_errors_with_places(data):
    load(data)


@settings(FUZZ, max_examples=60)
@given(data=st.binary(max_size=500))
def test_random_bytes_get_errors_with_places(data):
    assert load(data) is None or data.strip()


# --- particular hostile files -------------------------------------------------------------------------------

def _requirements(count: int) -> bytes:
    return b"".join(b'\n[[requirements]]\nid = "r%d"\nref = "%d"\ntitle = "T"\ntext = "Do it."\n'
                    b'[requirements.guidance]\ngood = "Good."\nevidence = "Proof."\n' % (n, n) for n in range(count))


HOSTILE_FILES = {
    "arrays nested 100,000 deep": b"id = " + b"[" * 100_000 + b"]" * 100_000,
    "inline tables nested 100,000 deep": b"id = " + b"{a=" * 100_000 + b"1" + b"}" * 100_000,
    "tables nested 3,000 deep by dotted keys": b"[" + b".".join([b"a"] * 3_000) + b"]\nx = 1\n",
    "not UTF-8": MINIMAL.replace(b"Minimal framework", b"Minimal \xff framework"),
    "UTF-16": MINIMAL.decode("utf-8").encode("utf-16"),
    "a byte order mark then NUL": b"\xef\xbb\xbf\x00",
    "only NUL bytes": b"\x00" * 1000,
    "a NUL inside a string": MINIMAL.replace(b"Minimal framework", b"Minimal\x00framework"),
    "an escaped NUL and line break in an id": MINIMAL.replace(b'id = "minimal"', b'id = "mini\\u0000mal\\n"'),
    "an unknown key with a colon and a line break": b'"odd: key\\nhere" = 1\n' + MINIMAL,
    "a key repeated": MINIMAL + b'\nid = "again"\n',
    "a huge integer score": MINIMAL.replace(b"score = 1", b"score = 99999999999999999999999999999999"),
    "nan and inf thresholds": MINIMAL.replace(b'rule = "worst-rating-wins"', b'rule = "percentage-met"\n'
                                              b'[[overall.thresholds]]\nmin_percent = nan\nlabel = "A"\nrag = "green"'
                                              b'\n[[overall.thresholds]]\nmin_percent = -inf\nlabel = "B"\n'
                                              b'rag = "red"'),
    "a date of year 0": MINIMAL.replace(b"published = 2018-06-01", b"published = 0000-01-01"),
    "February the 31st": MINIMAL.replace(b"published = 2018-06-01", b"published = 2018-02-31"),
    "a date with a time": MINIMAL.replace(b"published = 2018-06-01", b"published = 2018-06-01T10:00:00Z"),
    "20,000 requirements (about 1 MB) all the same id": MINIMAL + _requirements(1).replace(b"r0", b"r1") * 10_000,
    "10,000 valid requirements": MINIMAL.split(b"[[requirements]]")[0] + _requirements(10_000),
    "a 1 MB string": MINIMAL.replace(b'title = "Minimal framework"', b'title = "' + b"x" * 1_000_000 + b'"'),
    "every shipped file at once": b"\n".join(SHIPPED.values()),
    "empty": b"",
    "only a comment": b"# nothing here\n",
}


@pytest.mark.parametrize("data", HOSTILE_FILES.values(), ids=HOSTILE_FILES.keys())
def test_a_hostile_file_gets_a_framework_or_errors_with_places(data):
    load(data)


def test_deep_nesting_is_reported_as_a_problem_with_the_file():
    with pytest.raises(fw.FrameworkError) as caught:
        fw.parse(HOSTILE_FILES["arrays nested 100,000 deep"], name=NAME, sectors=SECTORS)
    assert caught.value.errors == [f"{NAME}: (file): has arrays or tables nested too deeply to read; a framework "
                                   "file needs only a few levels, as in questionnaires/README.md"]


def test_a_key_that_looks_like_a_place_is_quoted_so_the_place_stays_readable():
    with pytest.raises(fw.FrameworkError) as caught:
        fw.parse(HOSTILE_FILES["an unknown key with a colon and a line break"], name=NAME, sectors=SECTORS)
    assert caught.value.errors[0].startswith(f'{NAME}: "odd: key\\u000ahere": unknown field "odd: key\\u000ahere"; ')


# --- load_all, as `frameworks check` and start-up use it --------------------------------------------------------

@settings(FUZZ, max_examples=30)
@given(files=st.lists(st.one_of(damaged_bytes(), mutated_documents().map(toml_document),
                                st.sampled_from(sorted(BASES)).map(BASES.get)), min_size=1, max_size=4))
def test_load_all_rejects_bad_files_whole_and_keeps_the_rest(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("load-all")
    paths = []
    for number, data in enumerate(files):
        paths.append(folder / f"file-{number}.toml")
        paths[-1].write_bytes(data)
    result = fw.load_all(paths, known=(), sectors=SECTORS)
    names = {str(path) for path in paths}
    for error in result.errors:
        assert any(error.startswith(f"{name}: ") for name in names), error
    keys = [framework.key for framework in result.frameworks]
    assert len(keys) == len(set(keys)), "the same id and version loaded twice"


# --- the admin's upload page ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def admin(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("fuzz-frameworks"), WTF_CSRF_ENABLED=False)
    with app.app_context():
        store.create_user(get_db(), email="admin@fuzz.example", name="Admin", role="admin", organisation_id=None,
                          password_hash=password_hash(), actor=store.SYSTEM,
                          now=datetime.now(timezone.utc))
    client = app.test_client()
    assert client.post("/sign-in", data={"email": "admin@fuzz.example",
                                         "password": "lantern-orchard-mosaic"}).status_code == 302
    return client


def upload_framework(client, data: bytes, name: str = "new-framework.toml"):
    response = client.post("/frameworks/upload", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), name)})
    assert response.status_code in (200, 302, 413), response.status_code
    note("loaded" if response.status_code == 302 else "refused")
    if response.status_code != 302:
        assert "govuk-error-summary" in response.get_data(as_text=True)
    return response


@settings(FUZZ, max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.one_of(damaged_bytes(), mutated_documents().map(toml_document)))
def test_the_upload_page_answers_any_file_with_its_problems_or_loads_it(admin, data):
    upload_framework(admin, data)


@pytest.mark.parametrize("data", HOSTILE_FILES.values(), ids=HOSTILE_FILES.keys())
def test_the_upload_page_answers_a_hostile_file_with_its_problems(admin, data):
    response = upload_framework(admin, data)
    if len(data) > 1024 * 1024:
        assert "must be smaller than 1 MB" in response.get_data(as_text=True)
