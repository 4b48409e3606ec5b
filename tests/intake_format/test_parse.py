from decimal import Decimal

import pytest

from screening.intake_format import DocumentInvalid, parse_json
from tests.intake_format.samples import DOCUMENTS

REFUSED = [
    # (raw, path, words in the message)
    (b'{"a": NaN}', "a", "NaN is not a JSON number"),
    (b'{"a": [1, {"b": Infinity}]}', "a[1].b", "Infinity is not a JSON number"),
    (b'{"a": -Infinity}', "a", "-Infinity is not a JSON number"),
    (b'{"age": 1, "age": 2}', "age", 'duplicate key "age"'),
    (
        b'{"vitals": {"bp_systolic": 120, "bp_systolic": 130}}',
        "vitals.bp_systolic",
        'duplicate key "bp_systolic"',
    ),
    (b'{"x": [{}, {"k": 1, "k": 1}]}', "x[1].k", 'duplicate key "k"'),
    (b"[1, 2]", "(document)", "must be a JSON object, not a list"),
    (b'"intake/1"', "(document)", "must be a JSON object, not a single value"),
    (b"null", "(document)", "must be a JSON object"),
    (b'{"name": "caf\xe9"}', "(document)", "byte 0xe9 at offset 13 is not valid UTF-8"),
    ('{"a": 1}'.encode("utf-16-le"), "(document)", "UTF-16 text, not UTF-8"),
    ('{"a": 1}'.encode("utf-16"), "(document)", "UTF-16 text, not UTF-8"),
    ('{"a": 1}'.encode("utf-32-be"), "(document)", "UTF-32 text, not UTF-8"),
    (b'\xef\xbb\xbf{"a": 1}', "(document)", "byte order mark"),
    ('\ufeff{"a": 1}', "(document)", "byte order mark"),
    (b'{"a": 1,}', "(document)", "not valid JSON"),
    (b'{"a": 1} // note', "(document)", "not valid JSON"),
    (b"{\"a\": 'x'}", "(document)", "not valid JSON"),
    (b"", "(document)", "not valid JSON"),
    (b'{"a": "\\ud800"}', "a", "unpaired surrogate"),
    (b'{"a": {"b": ["ok", "x\\uDFFFy"]}}', "a.b[1]", "unpaired surrogate"),
    (b'{"a": "\\udbff\\u0041"}', "a", "unpaired surrogate"),
    ('{"a": ["\ud800"]}', "a[0]", "unpaired surrogate"),  # text given as str
    (b"[" * 100_000, "(document)", "nested too deeply"),
    (b'{"a": ' + b"1" * 5000 + b"}", "(document)", "too many digits"),
]


@pytest.mark.parametrize(("raw", "path", "words"), REFUSED)
def test_it_refuses_what_strict_json_refuses(raw, path, words):
    with pytest.raises(DocumentInvalid) as refused:
        parse_json(raw)
    [issue] = refused.value.issues
    assert issue.path == path
    assert words in issue.message


def test_it_reads_fractions_as_exact_decimals():
    doc = parse_json(b'{"dose": 0.0125, "bmi": 22.5, "big": 1e2, "whole": 150}')
    assert doc == {
        "dose": Decimal("0.0125"),
        "bmi": Decimal("22.5"),
        "big": Decimal("1E+2"),
        "whole": 150,
    }
    assert type(doc["whole"]) is int


def test_it_reads_text_and_bytes_alike():
    text = '{"name": "Zoë", "n": 1}'
    assert parse_json(text) == parse_json(text.encode()) == {"name": "Zoë", "n": 1}


@pytest.mark.parametrize("path", sorted(DOCUMENTS.glob("*.json")), ids=lambda p: p.name)
def test_it_parses_the_sample_documents(path):
    assert parse_json(path.read_bytes())["format"] == "intake/1"
