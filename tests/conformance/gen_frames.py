"""Writes `frames.jsonl`: the client frames of the differential conformance test.

`python3 gen_frames.py` (any Python 3.9+, no packages) rewrites `frames.jsonl`
next to this file; `python3 gen_frames.py --check` exits 1 when the
checked-in copy differs from what this script writes. The output is
deterministic: no randomness, no clock, frames in the order written below.

Each line is one JSON object:

- `name`: unique, `<category>/<what>`; `docs/wire-protocol.md` lists known
  differences by this name;
- `text`: the raw frame text, sent as is, so frames that are not JSON, hold
  NaN, huge numbers, duplicate keys or lone surrogate escapes can be written;
- `binary` (optional, `true`): send `text` as a binary frame.

The frames target the consumer of `app.py` (its document is `asyncapi.json`):
every message valid (minimal and full), each constraint violated alone,
several violations in one frame, pydantic's lax coercions, edge numbers,
unicode, extra and missing fields, nulls, wrong container types, deep
nesting, the envelope (`ref`, `version`, `topic`, `seq`), frames that are
not JSON, bad `action`s, long strings and big lists.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "frames.jsonl"


class Raw:
    """JSON text written verbatim (numbers Python cannot hold, NaN, escapes)."""

    def __init__(self, text):
        self.text = text


class Pairs:
    """An object written from (key, value) pairs, duplicates allowed."""

    def __init__(self, *pairs):
        self.pairs = pairs


def enc(value):
    """Compact JSON text of `value`; non-ASCII characters are written raw."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Pairs):
        return "{" + ",".join(enc(k) + ":" + enc(v) for k, v in value.pairs) + "}"
    if isinstance(value, dict):
        return "{" + ",".join(enc(k) + ":" + enc(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(enc(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


FRAMES = []
NAMES = set()


def frame(name, text, binary=False):
    assert name not in NAMES, f"duplicate frame name {name}"
    assert isinstance(text, str)
    NAMES.add(name)
    entry = {"name": name, "text": text}
    if binary:
        entry["binary"] = True
    FRAMES.append(entry)


def message(name, action, payload, **envelope):
    """A frame `{"action": ..., "payload": ..., <envelope keys>}`."""
    body = {"action": action, "payload": payload}
    body.update(envelope)
    frame(name, enc(body))


def with_(base, **changes):
    """`base` with some keys replaced (a value of `DROP` removes the key)."""
    result = dict(base)
    for key, value in changes.items():
        if value is DROP:
            result.pop(key, None)
        else:
            result[key] = value
    return result


DROP = object()

# --- valid payloads of every message, minimal (required fields only) and full --

SCALARS_MIN = {"text": "hi", "count": 1, "ratio": 0.5, "flag": True}
SCALARS_FULL = with_(SCALARS_MIN, maybe=7, anything={"k": [1, "x", None, True, 2.5]})

CONSTRAINTS_MIN = {"name": "abc", "sku": "ABC-12", "age": 30}
CONSTRAINTS_FULL = with_(
    CONSTRAINTS_MIN, code="xyz", level=5, step=10, ratio=0.25, temp=36.6, price=1.75
)

COLLECTIONS_MIN = {"ints": [1], "pair": [1, "a"]}
COLLECTIONS_FULL = {
    "ints": [1, 2, 3],
    "pair": [7, "seven"],
    "many": [1, 2, 3],
    "unique": [3, 1, 2],
    "names": ["solo"],
    "counts": {"a": 1, "b": 2},
    "holes": ["a", None, "b"],
    "groups": {"g": [1, 2], "h": []},
    "positives": [1, 2, 3],
}

LEAF = {"value": 1}
BRANCH = {"label": "b", "leaf": LEAF}
NESTED_MIN = {"trunk": {"name": "t", "branch": BRANCH}}
NESTED_FULL = {
    "trunk": {
        "name": "t",
        "branch": {"label": "b", "leaf": {"value": 1, "note": "first"}},
        "spare": {"label": "s", "leaf": {"value": 2}},
    },
    "leaves": [{"value": 3, "note": "n"}, {"value": 4}],
    "maybe_leaf": {"value": 5},
}

UNIONS_MIN = {"id": 1, "shape": {"radius": 1.5}}
UNIONS_FULL = {
    "id": "abc",
    "shape": {"side": 2.0},
    "either": 5,
    "shapes": [{"radius": 1.0}, {"side": 2.0}],
}

TAGGED_MIN = {"pet": {"kind": "cat"}}
TAGGED_FULL = {
    "pet": {"kind": "dog", "good": False},
    "others": [{"kind": "cat", "lives": 3}, {"kind": "dog"}],
}

CHOICES_MIN = {"mode": "fast", "size": 2, "color": "red"}
CHOICES_FULL = with_(CHOICES_MIN, mixed=0, only="only", priority=3)

FORMATS = {
    "day": "2024-02-29",
    "moment": "2024-02-29T12:34:56Z",
    "clock": "12:34:56",
    "span": "PT1H30M",
    "uid": "12345678-1234-5678-1234-567812345678",
    "amount": "12.50",
    "link": "https://example.com/a?b=c",
    "home": "http://example.org/",
    "ip": "192.168.0.1",
    "blob": "aGVsbG8=",
}

STRICT_MIN = {"id": 1, "inner": {"x": 2}}
STRICT_FULL = with_(STRICT_MIN, note="n")

DEFAULTS_FULL = {
    "title": "t",
    "count": 9,
    "ratio": 0.125,
    "flag": True,
    "tags": ["x"],
    "origin": {"x": 3, "y": 4},
    "mode": "fast",
    "color": "blue",
    "nothing": "something",
}


def tree(depth, fanout=1):
    """A chain (or tree) of TreeNodes `depth` levels deep."""
    node = {"name": f"n{depth}"}
    if depth > 1:
        node["children"] = [tree(depth - 1, fanout) for _ in range(fanout)]
    return node


def chain(depth):
    """A chain of TreeNodes `depth` levels deep, as raw text (no recursion)."""
    return Raw('{"name":"n","children":[' * (depth - 1) + '{"name":"leaf"}' + "]}" * (depth - 1))


COMMON_MIN = {"amount": 1}
COMMON_FULL = {
    "amount": 2.5,
    "score": 0.0,
    "level": 3,
    "flag_true": True,
    "when": "2024-01-31T12:34:56+01:00",
    "short_words": ["a", "abc"],
    "leaves_by_name": {"x": {"value": 1}, "y": {"value": 2, "note": "n"}},
    "maybe_leaves": [{"value": 3}],
    "colors": ["red", "blue"],
    "priorities": {"a": 1, "b": 3},
    "mixed": [{"value": 1}, {"label": "l", "leaf": {"value": 2}}],
}

RECURSIVE_MIN = {"forest": []}
RECURSIVE_FULL = {"forest": [tree(3, 2), {"name": "lone", "children": []}]}

VALID = {
    "scalars": (SCALARS_MIN, SCALARS_FULL),
    "constraints": (CONSTRAINTS_MIN, CONSTRAINTS_FULL),
    "collections": (COLLECTIONS_MIN, COLLECTIONS_FULL),
    "nested": (NESTED_MIN, NESTED_FULL),
    "unions": (UNIONS_MIN, UNIONS_FULL),
    "tagged": (TAGGED_MIN, TAGGED_FULL),
    "choices": (CHOICES_MIN, CHOICES_FULL),
    "formats": (FORMATS, FORMATS),
    "strict_extra": (STRICT_MIN, STRICT_FULL),
    "defaults": ({}, DEFAULTS_FULL),
    "recursive": (RECURSIVE_MIN, RECURSIVE_FULL),
    "common": (COMMON_MIN, COMMON_FULL),
}


def valid():
    frame("valid/ping", '{"action":"ping"}')
    frame("valid/ping-full", '{"action":"ping","payload":null}')
    for action, (minimal, full) in VALID.items():
        message(f"valid/{action}-minimal", action, minimal)
        if full is not minimal:
            message(f"valid/{action}-full", action, full)
    frame("valid/defaults-no-payload", '{"action":"defaults"}')


def constraints():
    """Each bound of ConstraintsPayload violated alone, and its edges kept."""
    cases = [
        ("name-too-short", "name", "a"),
        ("name-empty", "name", ""),
        ("name-too-long", "name", "abcdefghi"),
        ("name-min-edge", "name", "ab"),
        ("name-max-edge", "name", "abcdefgh"),
        ("sku-pattern", "sku", "abc-12"),
        ("sku-pattern-suffix", "sku", "ABC-123"),
        ("sku-pattern-newline", "sku", "ABC-12\n"),
        ("code-too-short", "code", "a"),
        ("code-too-long", "code", "abcdefg"),
        ("code-pattern", "code", "AB"),
        ("code-short-and-pattern", "code", "A"),
        ("age-below-ge", "age", -1),
        ("age-above-le", "age", 151),
        ("age-ge-edge", "age", 0),
        ("age-le-edge", "age", 150),
        ("level-gt-edge", "level", 0),
        ("level-lt-edge", "level", 10),
        ("level-inside", "level", 9),
        ("step-not-multiple", "step", 7),
        ("step-negative-multiple", "step", -5),
        ("step-big-multiple", "step", 10**20),
        ("ratio-below", "ratio", -0.1),
        ("ratio-above", "ratio", 1.1),
        ("ratio-edges", "ratio", 1.0),
        ("temp-gt-edge", "temp", -273.15),
        ("temp-lt-edge", "temp", 1000.0),
        ("temp-just-inside", "temp", -273.14),
        ("price-not-multiple", "price", 0.3),
        ("price-multiple", "price", 2.5),
        ("price-multiple-tiny", "price", 1e-9),
        ("price-multiple-huge", "price", 1e20),
        # pydantic rounds the quotient and compares its multiple with the
        # value (within 1e-9): a quotient beyond f64 is never a multiple.
        ("price-multiple-quotient-edge", "price", 4.49e307),
        ("price-multiple-quotient-overflow", "price", 4.5e307),
        ("price-multiple-max", "price", Raw("1.7976931348623157e308")),
        ("price-multiple-minus-max", "price", Raw("-1.7976931348623157e308")),
        ("third-multiple", "third", 0.9),
        ("third-multiple-1e16", "third", 1e16),
        ("third-multiple-1e17", "third", 1e17),
        ("third-multiple-1e18", "third", 1e18),
        ("third-multiple-1e20", "third", 1e20),
        ("third-not-multiple", "third", 0.30000001),
        ("third-multiple-tiny", "third", 1e-10),
        ("third-multiple-negative", "third", -0.6),
        ("third-nan", "third", Raw("NaN")),
        ("third-infinity", "third", Raw("Infinity")),
        ("third-nan-from-str", "third", "nan"),
        ("ratio-nan", "ratio", Raw("NaN")),
        ("temp-infinity", "temp", Raw("Infinity")),
    ]
    for name, key, value in cases:
        message(f"constraints/{name}", "constraints", with_(CONSTRAINTS_MIN, **{key: value}))
    for name, key, value in [
        ("ints-empty", "ints", []),
        ("ints-too-long", "ints", [1, 2, 3, 4, 5, 6]),
        ("ints-max-edge", "ints", [1, 2, 3, 4, 5]),
        ("counts-empty", "counts", {}),
        ("counts-too-many", "counts", {"a": 1, "b": 2, "c": 3, "d": 4}),
        # The bound counts the entries that validated, as each is added.
        ("counts-too-many-last-invalid", "counts", {"a": 1, "b": 2, "c": 3, "d": "x"}),
        ("counts-too-many-two-invalid", "counts", {"a": "x", "b": 2, "c": 3, "d": 4, "e": "y"}),
        ("counts-too-many-after-invalid", "counts", {"a": "x", "b": 2, "c": 3, "d": 4, "e": 5}),
        ("counts-empty-after-invalid", "counts", {"a": "x"}),
        ("positives-zero", "positives", [0]),
        ("positives-mixed", "positives", [1, -1, 0, 2]),
    ]:
        message(f"constraints/{name}", "collections", with_(COLLECTIONS_MIN, **{key: value}))


def several():
    """Several violations in one frame: the order of the errors matters."""
    message(
        "several/constraints-all",
        "constraints",
        {"name": "", "sku": "x", "code": "ABCDEFGH", "age": -5, "level": 10,
         "step": 3, "ratio": 2, "temp": -300, "price": 0.1},
    )
    message(
        "several/constraints-reordered-keys",
        "constraints",
        {"price": 0.1, "age": -5, "sku": "x", "name": ""},
    )
    message("several/scalars-all-wrong-types", "scalars",
            {"text": 5, "count": "x", "ratio": "y", "flag": "maybe", "maybe": "z"})
    message("several/scalars-missing-and-wrong", "scalars", {"count": "x", "flag": None})
    message("several/collections", "collections",
            {"ints": [], "pair": ["a", 1], "counts": {}, "positives": [0, -1],
             "holes": [1], "groups": {"g": ["x"]}})
    message("several/nested-depths", "nested",
            {"trunk": {"name": 1, "branch": {"label": None, "leaf": {"value": "x"}},
                       "spare": {"leaf": {}}},
             "leaves": [{"value": "a"}, {}, {"value": 1, "note": 2}],
             "maybe_leaf": []})
    message("several/tagged-others", "tagged",
            {"pet": {"kind": "cow"}, "others": [{"kind": "cat", "lives": "x"}, {}, "dog", {"kind": None}]})
    message("several/strict-extra-and-missing", "strict_extra",
            {"zz": 1, "inner": {"y": 1, "x": "q"}, "aa": 2})
    message("several/formats-all-wrong", "formats",
            {"day": "x", "moment": "x", "clock": "x", "span": "x", "uid": "x",
             "amount": "x", "link": "x", "home": "x", "ip": "x", "blob": 1})
    message("several/choices-all-wrong", "choices",
            {"mode": "x", "size": 9, "mixed": "x", "only": "x", "color": "x", "priority": 9})


def lax():
    """The coercions pydantic applies in lax mode (and the ones it refuses)."""
    for name, value in [
        ("int-from-str", "5"),
        ("int-from-str-spaces", " 5 "),
        ("int-from-str-plus", "+5"),
        ("int-from-str-float", "5.0"),
        ("int-from-str-fraction", "5.5"),
        ("int-from-str-underscore", "1_000"),
        ("int-from-str-hex", "0x10"),
        ("int-from-str-exponent", "1e3"),
        ("int-from-float", 5.0),
        ("int-from-float-fraction", 5.5),
        ("int-from-bool", True),
        ("int-from-float-exponent", Raw("1e3")),
        # Python's 4300-digit limit, as pydantic-core applies it: on the
        # digits of the text as it stands, even with something after them;
        # a longer integer only cleaning reveals is int_parsing.
        ("int-from-str-long-word", "é" + "x" * 5000),
        ("int-from-str-4301-digits-then-x", "1" * 4301 + "x"),
        ("int-from-str-4301-digits-dot", "1" * 4301 + ".0"),
        ("int-from-str-space-4301-digits", " " + "1" * 4301),
        ("int-from-str-zeros-4301-digits", "00" + "1" * 4301),
        ("int-from-str-underscore-4310-digits", "1" * 10 + "_" + "1" * 4300),
    ]:
        message(f"lax/{name}", "scalars", with_(SCALARS_MIN, count=value))
    for name, value in [
        ("bool-from-str-true", "true"),
        ("bool-from-str-True", "True"),
        ("bool-from-str-yes", "yes"),
        ("bool-from-str-no", "no"),
        ("bool-from-str-on", "on"),
        ("bool-from-str-off", "off"),
        ("bool-from-str-1", "1"),
        ("bool-from-str-0", "0"),
        ("bool-from-str-t", "t"),
        ("bool-from-str-n", "n"),
        ("bool-from-str-spaced", " true "),
        ("bool-from-str-maybe", "maybe"),
        ("bool-from-int-1", 1),
        ("bool-from-int-0", 0),
        ("bool-from-int-2", 2),
        ("bool-from-float-1", 1.0),
        ("bool-from-float-half", 0.5),
        # A number is a bool only through an i64: integral floats inside its
        # range cannot be parsed, the rest are not booleans at all.
        ("bool-from-float-2", 2.0),
        ("bool-from-float-huge", Raw("1.7976931348623157e308")),
        ("bool-from-float-tiny", Raw("5e-324")),
        ("bool-from-float-below-2-pow-63", Raw("9223372036854774784.0")),
        ("bool-from-float-2-pow-63", Raw("9223372036854775807.0")),
        ("bool-from-float-minus-2-pow-63", Raw("-9223372036854775808.0")),
        ("bool-from-int-min-i64", Raw("-9223372036854775808")),
        ("bool-from-int-2-pow-63", Raw("9223372036854775808")),
    ]:
        message(f"lax/{name}", "scalars", with_(SCALARS_MIN, flag=value))
    for name, value in [
        ("float-from-str", "1.5"),
        ("float-from-str-int", "2"),
        ("float-from-str-nan", "nan"),
        ("float-from-str-inf", "inf"),
        ("float-from-str-minus-infinity", "-Infinity"),
        ("float-from-str-exponent", "1e5"),
        ("float-from-str-spaces", " 1.5 "),
        ("float-from-str-comma", "1,5"),
        ("float-from-str-underscore", "1_000.5"),
        ("float-from-str-underscore-spaced", " 1_000.5"),
        ("float-from-int", 5),
        ("float-from-bool", True),
        ("float-from-nan-literal", Raw("NaN")),
    ]:
        message(f"lax/{name}", "scalars", with_(SCALARS_MIN, ratio=value))
    for name, value in [
        ("str-from-int", 5),
        ("str-from-float", 5.5),
        ("str-from-bool", True),
        ("str-from-list", ["a"]),
        ("str-from-object", {"a": 1}),
    ]:
        message(f"lax/{name}", "scalars", with_(SCALARS_MIN, text=value))
    message("lax/optional-int-from-str", "scalars", with_(SCALARS_MIN, maybe="7"))
    message("lax/tuple-int-from-str", "collections", with_(COLLECTIONS_MIN, pair=["1", "a"]))
    message("lax/tuple-str-from-int", "collections", with_(COLLECTIONS_MIN, pair=[1, 2]))
    message("lax/list-items-from-str", "collections", with_(COLLECTIONS_MIN, ints=["1", 2.0, "3"]))
    message("lax/dict-values-from-str", "collections", with_(COLLECTIONS_MIN, counts={"a": "1"}))
    message("lax/set-dedup", "collections", with_(COLLECTIONS_MIN, unique=[1, 1, 2, "2"]))
    message("lax/set-order", "collections", with_(COLLECTIONS_MIN, unique=[10, 2, 9, 1, 100, -1]))
    message("lax/frozenset-dedup", "collections", with_(COLLECTIONS_MIN, names=["a", "a"]))
    message("lax/literal-int-from-str", "choices", with_(CHOICES_MIN, size="2"))
    message("lax/literal-int-from-float", "choices", with_(CHOICES_MIN, size=2.0))
    message("lax/literal-int-from-bool", "choices", with_(CHOICES_MIN, size=True))
    message("lax/literal-mixed-from-false", "choices", with_(CHOICES_MIN, mixed=False))
    message("lax/literal-mixed-from-str-zero", "choices", with_(CHOICES_MIN, mixed="0"))
    message("lax/int-enum-from-str", "choices", with_(CHOICES_MIN, priority="2"))
    message("lax/int-enum-from-float", "choices", with_(CHOICES_MIN, priority=2.0))
    message("lax/int-enum-from-bool", "choices", with_(CHOICES_MIN, priority=True))
    message("lax/str-enum-case", "choices", with_(CHOICES_MIN, color="RED"))
    message("lax/union-int-from-float", "unions", with_(UNIONS_MIN, id=5.0))
    message("lax/union-str-stays-str", "unions", with_(UNIONS_MIN, id="5"))
    message("lax/union-from-bool", "unions", with_(UNIONS_MIN, id=True))
    message("lax/union-model-from-str-float", "unions", with_(UNIONS_MIN, shape={"side": "2"}))
    message("lax/union-model-both-match", "unions", with_(UNIONS_MIN, shape={"radius": 1, "side": 2}))
    message("lax/decimal-from-float", "formats", with_(FORMATS, amount=1.1))
    message("lax/decimal-from-int", "formats", with_(FORMATS, amount=10))
    message("lax/decimal-exponent", "formats", with_(FORMATS, amount="1e3"))
    message("lax/decimal-trailing-zeros", "formats", with_(FORMATS, amount="1.500"))
    message("lax/datetime-from-int", "formats", with_(FORMATS, moment=1700000000))
    message("lax/datetime-from-float", "formats", with_(FORMATS, moment=1700000000.5))
    message("lax/datetime-from-millis", "formats", with_(FORMATS, moment=1700000000123))
    message("lax/datetime-offset", "formats", with_(FORMATS, moment="2024-02-29T12:34:56+05:30"))
    message("lax/datetime-naive-nanos", "formats", with_(FORMATS, moment="2024-02-29T12:34:56.123456789"))
    message("lax/datetime-space", "formats", with_(FORMATS, moment="2024-02-29 12:34:56"))
    message("lax/date-from-midnight-int", "formats", with_(FORMATS, day=1704067200))
    message("lax/date-from-datetime-str", "formats", with_(FORMATS, day="2024-02-29T00:00:00"))
    message("lax/time-short", "formats", with_(FORMATS, clock="12:34"))
    message("lax/time-fraction-offset", "formats", with_(FORMATS, clock="12:34:56.789+01:00"))
    message("lax/time-from-int", "formats", with_(FORMATS, clock=3661))
    message("lax/duration-from-int", "formats", with_(FORMATS, span=3600))
    message("lax/duration-from-float", "formats", with_(FORMATS, span=1.5))
    message("lax/duration-days", "formats", with_(FORMATS, span="P1DT0.5S"))
    message("lax/duration-negative", "formats", with_(FORMATS, span="-PT1H"))
    message("lax/duration-years", "formats", with_(FORMATS, span="P1Y2M"))
    message("lax/duration-clock", "formats", with_(FORMATS, span="1 day, 02:03:04"))
    message("lax/uuid-upper", "formats", with_(FORMATS, uid="12345678-1234-5678-1234-567812345678".upper()))
    message("lax/uuid-no-dashes", "formats", with_(FORMATS, uid="123456781234567812345678123456ab"))
    message("lax/uuid-urn", "formats", with_(FORMATS, uid="urn:uuid:12345678-1234-5678-1234-567812345678"))
    message("lax/uuid-braces", "formats", with_(FORMATS, uid="{12345678-1234-5678-1234-567812345678}"))
    message("lax/url-normalised", "formats", with_(FORMATS, link="HTTPS://Example.COM", home="http://EXAMPLE.org:80/a/../b"))
    message("lax/url-idna", "formats", with_(FORMATS, home="http://m\u00fcller.de/\u00e9"))
    message("lax/url-other-scheme", "formats", with_(FORMATS, link="mailto:someone@example.com"))
    message("lax/ipv4-from-int", "formats", with_(FORMATS, ip=3232235521))
    message("lax/bytes-unicode", "formats", with_(FORMATS, blob="h\u00e9llo \U0001F600"))
    message("lax/bytes-empty", "formats", with_(FORMATS, blob=""))
    message("lax/model-field-from-str-lists", "nested",
            with_(NESTED_MIN, leaves=[{"value": "7", "note": "x"}]))
    message("lax/tagged-default-filled", "tagged", {"pet": {"kind": "dog"}, "others": [{"kind": "cat"}]})


def numbers():
    """Edge numbers into an int, a float and an Any field."""
    values = [
        ("zero", Raw("0")),
        ("minus-zero", Raw("-0")),
        ("minus-zero-float", Raw("-0.0")),
        ("one-point-zero", Raw("1.0")),
        ("i64-max", Raw(str(2**63 - 1))),
        ("i64-min", Raw(str(-(2**63)))),
        ("2-pow-63", Raw(str(2**63))),
        ("minus-2-pow-63-minus-1", Raw(str(-(2**63) - 1))),
        ("2-pow-64", Raw(str(2**64))),
        ("10-pow-30", Raw(str(10**30))),
        ("1e16", Raw("1e16")),
        ("1e308", Raw("1e308")),
        ("1e400", Raw("1e400")),
        ("minus-1e400", Raw("-1e400")),
        ("5e-324", Raw("5e-324")),
        ("1e-400", Raw("1e-400")),
        ("big-exponent-int", Raw("1E2")),
        ("many-digits", Raw("0.1000000000000000055511151231257827")),
        ("nan", Raw("NaN")),
        ("infinity", Raw("Infinity")),
    ]
    for name, value in values:
        message(f"numbers/int-{name}", "scalars", with_(SCALARS_MIN, count=value))
    # The same edges as strings, which pydantic parses into an int.
    for name, value in [
        ("i64-max", str(2**63 - 1)),
        ("2-pow-63", str(2**63)),
    ]:
        message(f"numbers/int-from-str-{name}", "scalars", with_(SCALARS_MIN, count=value))
    for name, value in values:
        message(f"numbers/float-{name}", "scalars", with_(SCALARS_MIN, ratio=value))
    for name, value in [
        ("any-numbers", [Raw("-0"), Raw("-0.0"), Raw("1.0"), Raw("1e16"), Raw("1e-7"),
                         Raw("123456789012345678901234567890"), Raw("1e400"), Raw("NaN"),
                         Raw("0.30000000000000004"), Raw("1E+2"), Raw("2.5e-5")]),
        ("any-4300-digits", Raw("9" * 4300)),
        ("any-4301-digits", Raw("9" * 4301)),
    ]:
        message(f"numbers/{name}", "scalars", with_(SCALARS_MIN, anything=value))
    for name, value in [
        ("float-repr-small", 1e-7),
        ("float-repr-large", 1e22),
        ("float-repr-tenth", 0.1),
        ("float-repr-integral", 123456789.0),
        ("float-repr-1e15", 1e15),
    ]:
        message(f"numbers/{name}", "scalars", with_(SCALARS_MIN, ratio=value))


def unicode():
    texts = [
        ("accents", "h\u00e9llo w\u00f6rld"),
        ("emoji", "\U0001F600\U0001F680"),
        ("zwj-family", "\U0001F468\u200d\U0001F469\u200d\U0001F467"),
        ("combining", "e\u0301a\u0308"),
        ("rtl", "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627"),
        ("cjk", "\u4e2d\u6587\u6f22\u5b57"),
        ("nonchar", "\uffff\ufffe"),
        ("line-separators", "a\u2028b\u2029c"),
        ("escaped-controls", "tab\tnl\ncr\rbs\\q\"/"),
    ]
    for name, text in texts:
        message(f"unicode/{name}", "scalars", with_(SCALARS_MIN, text=text))
    base = enc({"action": "scalars", "payload": with_(SCALARS_MIN, text=Raw('"@"'))})
    for name, escape in [
        ("escaped-pair", "\\ud83d\\ude00"),
        ("lone-high-surrogate", "\\ud800"),
        ("lone-low-surrogate", "\\udc00"),
        ("reversed-pair", "\\ude00\\ud83d"),
        ("high-then-text", "\\ud83dx"),
        ("escaped-nul", "a\\u0000b"),
        ("escaped-upper-hex", "\\u00E9\\u00e9"),
        ("escaped-slash", "\\/"),
        ("bad-escape", "\\x41"),
        ("short-escape", "\\u12"),
    ]:
        frame(f"unicode/{name}", base.replace("@", escape))
    frame("unicode/raw-nul", base.replace("@", "a\u0000b"))
    frame("unicode/raw-tab", base.replace("@", "a\tb"))
    frame("unicode/raw-del", base.replace("@", "a\u007fb"))
    frame("unicode/surrogate-in-key", enc({"action": "scalars", "payload": SCALARS_MIN})[:-2]
          + ',"\\ud800":1}}')
    message("unicode/emoji-length", "constraints", with_(CONSTRAINTS_MIN, name="\U0001F600"))
    message("unicode/emoji-length-ok", "constraints", with_(CONSTRAINTS_MIN, name="\U0001F600\U0001F600"))
    message("unicode/combining-length", "constraints", with_(CONSTRAINTS_MIN, name="e\u0301e\u0301e\u0301e\u0301e\u0301"))
    message("unicode/pattern-unicode-digits", "constraints", with_(CONSTRAINTS_MIN, sku="ABC-\u0661\u0662"))
    message("unicode/pattern-unicode-letters", "constraints", with_(CONSTRAINTS_MIN, code="\u00e9t\u00e9"))
    message("unicode/key", "collections", with_(COLLECTIONS_MIN, counts={"\u00e9\U0001F600": 1}))
    frame("unicode/bom", "\ufeff" + enc({"action": "ping"}))
    frame("unicode/action", enc({"action": "p\u00efng"}))


def extra():
    message("extra/ignored-in-payload", "scalars", with_(SCALARS_MIN, zzz=1, aaa={"x": 1}))
    message("extra/ignored-in-nested", "nested",
            {"trunk": {"name": "t", "branch": with_(BRANCH, extra=True), "x": 1}, "y": 2})
    frame("extra/ignored-in-message", enc({"action": "scalars", "payload": SCALARS_MIN, "meta": {"a": 1}}))
    message("extra/forbidden-top", "strict_extra", with_(STRICT_MIN, zzz=1))
    message("extra/forbidden-inner", "strict_extra", with_(STRICT_MIN, inner={"x": 2, "y": 3}))
    message("extra/forbidden-both", "strict_extra", with_(STRICT_MIN, inner={"x": 2, "y": 3}, zzz=1))
    message("extra/forbidden-several", "strict_extra", with_(STRICT_MIN, b=1, a=2, c=None))
    message("extra/forbidden-null-valued", "strict_extra", with_(STRICT_MIN, zzz=None))
    message("extra/ignored-in-tagged-variant", "tagged", {"pet": {"kind": "cat", "wings": 2}})
    message("extra/ignored-in-tree", "recursive", {"forest": [{"name": "a", "leafy": True}]})


def missing():
    message("missing/scalars-payload-empty", "scalars", {})
    message("missing/scalars-one", "scalars", with_(SCALARS_MIN, count=DROP))
    frame("missing/payload", '{"action":"scalars"}')
    frame("missing/payload-defaults", '{"action":"defaults","ref":"d"}')
    message("missing/constraints-all", "constraints", {})
    message("missing/collections-pair", "collections", {"ints": [1]})
    message("missing/nested-deep", "nested", {"trunk": {"name": "t", "branch": {"label": "b", "leaf": {}}}})
    message("missing/tuple-item", "collections", with_(COLLECTIONS_MIN, pair=[1]))
    message("missing/formats-all", "formats", {})
    message("missing/tree-name", "recursive", {"forest": [{"children": [{"name": "x", "children": [{}]}]}]})
    message("missing/strict-inner", "strict_extra", {"id": 1})


def nulls():
    for name, action, payload in [
        ("str", "scalars", with_(SCALARS_MIN, text=None)),
        ("int", "scalars", with_(SCALARS_MIN, count=None)),
        ("float", "scalars", with_(SCALARS_MIN, ratio=None)),
        ("bool", "scalars", with_(SCALARS_MIN, flag=None)),
        ("optional-int-allowed", "scalars", with_(SCALARS_MIN, maybe=None)),
        ("any-allowed", "scalars", with_(SCALARS_MIN, anything=None)),
        ("payload", "scalars", None),
        ("payload-defaults", "defaults", None),
        ("model", "nested", {"trunk": None}),
        ("optional-model-allowed", "nested", with_(NESTED_MIN, maybe_leaf=None)),
        ("list", "collections", with_(COLLECTIONS_MIN, ints=None)),
        ("list-item", "collections", with_(COLLECTIONS_MIN, ints=[1, None])),
        ("optional-list-item-allowed", "collections", with_(COLLECTIONS_MIN, holes=[None, None])),
        ("dict-value", "collections", with_(COLLECTIONS_MIN, counts={"a": None})),
        ("tuple", "collections", with_(COLLECTIONS_MIN, pair=None)),
        ("union", "unions", with_(UNIONS_MIN, id=None)),
        ("union-optional-allowed", "unions", with_(UNIONS_MIN, either=None)),
        ("model-union", "unions", with_(UNIONS_MIN, shape=None)),
        ("tagged", "tagged", {"pet": None}),
        ("tag-value", "tagged", {"pet": {"kind": None}}),
        ("enum", "choices", with_(CHOICES_MIN, color=None)),
        ("literal", "choices", with_(CHOICES_MIN, mode=None)),
        ("format", "formats", with_(FORMATS, day=None)),
        ("default-field", "defaults", {"title": None, "tags": None, "origin": None}),
        ("optional-str-allowed", "defaults", {"nothing": None, "origin": {"x": 0}}),
        ("children", "recursive", {"forest": [{"name": "a", "children": None}]}),
    ]:
        message(f"null/{name}", action, payload)


def containers():
    for name, action, payload in [
        ("array-for-payload", "scalars", [1, 2]),
        ("string-for-payload", "scalars", "text"),
        ("number-for-payload", "scalars", 5),
        ("object-for-list", "collections", with_(COLLECTIONS_MIN, ints={"0": 1})),
        ("string-for-list", "collections", with_(COLLECTIONS_MIN, ints="123")),
        ("string-for-tuple", "collections", with_(COLLECTIONS_MIN, pair="ab")),
        ("object-for-tuple", "collections", with_(COLLECTIONS_MIN, pair={"a": 1})),
        ("too-long-tuple", "collections", with_(COLLECTIONS_MIN, pair=[1, "a", 2])),
        ("swapped-tuple", "collections", with_(COLLECTIONS_MIN, pair=["a", 1])),
        ("string-for-variadic-tuple", "collections", with_(COLLECTIONS_MIN, many="12")),
        ("string-for-set", "collections", with_(COLLECTIONS_MIN, unique="12")),
        ("object-for-set", "collections", with_(COLLECTIONS_MIN, unique={"1": 1})),
        ("string-for-frozenset", "collections", with_(COLLECTIONS_MIN, names="ab")),
        ("array-for-dict", "collections", with_(COLLECTIONS_MIN, counts=[["a", 1]])),
        ("string-for-dict", "collections", with_(COLLECTIONS_MIN, counts="a=1")),
        ("array-for-nested-dict-value", "collections", with_(COLLECTIONS_MIN, groups={"g": {"a": 1}})),
        ("array-for-model", "nested", {"trunk": ["t"]}),
        ("string-for-model", "nested", {"trunk": "t"}),
        ("object-for-model-list", "nested", with_(NESTED_MIN, leaves={"value": 1})),
        ("list-for-union-model", "unions", with_(UNIONS_MIN, shape=[1.5])),
        ("string-for-tagged", "tagged", {"pet": "cat"}),
        ("list-for-tagged", "tagged", {"pet": [{"kind": "cat"}]}),
        ("object-for-forest", "recursive", {"forest": {"name": "a"}}),
        ("object-for-str", "scalars", with_(SCALARS_MIN, text={})),
        ("list-for-int", "scalars", with_(SCALARS_MIN, count=[1])),
        ("object-for-enum", "choices", with_(CHOICES_MIN, color={"red": 1})),
        ("list-for-format", "formats", with_(FORMATS, day=[2024, 2, 29])),
    ]:
        message(f"containers/{name}", action, payload)


def formats():
    for name, key, value in [
        ("day-invalid", "day", "2024-02-30"),
        ("day-short", "day", "2024-1-1"),
        ("day-not-midnight-int", "day", 1704067201),
        ("moment-invalid", "moment", "yesterday"),
        ("moment-bad-offset", "moment", "2024-02-29T12:34:56+25:00"),
        ("clock-invalid", "clock", "25:00"),
        ("span-invalid", "span", "1h"),
        ("uid-invalid", "uid", "not-a-uuid"),
        ("uid-short", "uid", "12345678-1234-5678-1234-56781234567"),
        ("amount-invalid", "amount", "abc"),
        ("amount-nan", "amount", "NaN"),
        ("amount-infinity", "amount", Raw("Infinity")),
        ("amount-bool", "amount", True),
        ("link-invalid", "link", "not a url"),
        ("link-empty", "link", ""),
        ("link-relative", "link", "/path"),
        ("home-scheme", "home", "ftp://example.org"),
        ("home-too-long", "home", "http://example.org/" + "a" * 2100),
        ("home-no-host", "home", "http://"),
        ("ip-out-of-range", "ip", "256.1.1.1"),
        ("ip-v6", "ip", "::1"),
        ("ip-leading-zero", "ip", "01.2.3.4"),
        ("ip-negative-int", "ip", -1),
        ("blob-int", "blob", 5),
        ("blob-list", "blob", [104, 105]),
    ]:
        message(f"formats/{name}", "formats", with_(FORMATS, **{key: value}))


def unions_and_choices():
    for name, payload in [
        ("no-tag", {"pet": {}}),
        ("unknown-tag", {"pet": {"kind": "cow"}}),
        ("int-tag", {"pet": {"kind": 5}}),
        ("bad-variant-field", {"pet": {"kind": "cat", "lives": "many"}}),
        ("bad-item-in-list", {"pet": {"kind": "cat"}, "others": [{"kind": "dog", "good": "sure"}]}),
        ("tag-case", {"pet": {"kind": "Cat"}}),
    ]:
        message(f"tagged/{name}", "tagged", payload)
    for name, payload in [
        ("scalar-neither", with_(UNIONS_MIN, id=1.5)),
        ("scalar-list", with_(UNIONS_MIN, id=[1])),
        ("model-neither", with_(UNIONS_MIN, shape={})),
        ("model-bad-values", with_(UNIONS_MIN, shape={"radius": "x", "side": "y"})),
        ("optional-wrong", with_(UNIONS_MIN, either=[])),
        ("list-of-models", with_(UNIONS_MIN, shapes=[{"side": 1}, {"radius": 2}, {}])),
    ]:
        message(f"unions/{name}", "unions", payload)
    for name, payload in [
        ("literal-str", with_(CHOICES_MIN, mode="medium")),
        ("literal-int", with_(CHOICES_MIN, size=4)),
        ("literal-mixed", with_(CHOICES_MIN, mixed="manual")),
        ("literal-single", with_(CHOICES_MIN, only="other")),
        ("str-enum", with_(CHOICES_MIN, color="purple")),
        ("int-enum", with_(CHOICES_MIN, priority=4)),
        ("int-enum-from-name", with_(CHOICES_MIN, priority="HIGH")),
        ("str-enum-from-int", with_(CHOICES_MIN, color=1)),
    ]:
        message(f"choices/{name}", "choices", payload)
    # Echoed back: every string-enum value after the first, each written
    # by its own variant index.
    message("valid/choices-second-values", "choices", with_(CHOICES_MIN, mode="slow", color="green"))
    message("valid/choices-third-color", "choices", with_(CHOICES_MIN, color="blue", size=3))
    message("defaults/partial", "defaults", {"count": 1, "origin": {"x": 5}})
    message("defaults/origin-empty", "defaults", {"origin": {}})
    message("defaults/wrong-type", "defaults", {"tags": "a", "mode": "medium", "color": "x"})
    message("collections/frozenset-order", "collections",
            with_(COLLECTIONS_MIN, names=["pear", "apple", "fig", "kiwi"]))


def deep():
    message("deep/tree-3-wide", "recursive", {"forest": [tree(3, 3)]})
    for depth in (50, 64, 65, 120, 300, 600):
        message(f"deep/tree-{depth}", "recursive", {"forest": [chain(depth)]})
    message("deep/tree-error-deep", "recursive",
            {"forest": [{"name": "a", "children": [{"name": "b", "children": [{"name": 5}]}]}]})
    for depth in (100, 127, 129, 500, 5000):
        nested = "[" * depth + "]" * depth
        message(f"deep/any-arrays-{depth}", "scalars", with_(SCALARS_MIN, anything=Raw(nested)))
    objects = '{"a":' * 200 + "1" + "}" * 200
    message("deep/any-objects-200", "scalars", with_(SCALARS_MIN, anything=Raw(objects)))
    frame("deep/unclosed-arrays", "[" * 3000)


def envelope():
    ping = {"action": "ping"}
    for name, extra in [
        ("ref-string", {"ref": "r1"}),
        ("ref-empty", {"ref": ""}),
        ("ref-unicode", {"ref": "r\u00e9\U0001F600"}),
        ("ref-int", {"ref": 5}),
        ("ref-float", {"ref": 1.5}),
        ("ref-bool", {"ref": True}),
        ("ref-null", {"ref": None}),
        ("ref-list", {"ref": ["r"]}),
        ("ref-object", {"ref": {"r": 1}}),
        ("version-1", {"version": 1}),
        ("version-2", {"version": 2}),
        ("version-str-2", {"version": "2"}),
        ("version-float", {"version": 1.5}),
        ("version-float-integral", {"version": 2.0}),
        ("version-str-x", {"version": "x"}),
        ("version-null", {"version": None}),
        ("version-bool", {"version": True}),
        ("version-huge", {"version": 10**30}),
        ("topic-string", {"topic": "room.1"}),
        ("topic-null", {"topic": None}),
        ("topic-int", {"topic": 5}),
        ("topic-with-ref", {"topic": "t", "ref": "r2"}),
        ("seq-int", {"seq": 1}),
        ("seq-str", {"seq": "x"}),
        ("seq-float", {"seq": 1.5}),
        ("seq-null", {"seq": None}),
        ("all-wrong", {"seq": "y", "ref": 5, "topic": [], "version": "x"}),
        ("all-valid", {"version": 1, "ref": "r3", "seq": 7}),
    ]:
        frame(f"envelope/{name}", enc(with_(ping, **extra)))
    message("envelope/ref-on-echo", "scalars", SCALARS_FULL, ref="e1")
    message("envelope/ref-on-validation-error", "scalars", {}, ref="e2")
    frame("envelope/ref-on-unknown-action", enc({"action": "nope", "ref": "e3"}))
    frame("envelope/ref-on-missing-action", enc({"payload": 1, "ref": "e4"}))
    frame("envelope/ref-before-action", enc(Pairs(("ref", "e5"), ("payload", None), ("action", "ping"))))
    frame("envelope/ref-duplicate", enc(Pairs(("action", "ping"), ("ref", "a"), ("ref", "b"))))
    frame("envelope/ref-long", enc({"action": "ping", "ref": "r" * 5000}))
    frame("envelope/keys-in-payload-kept", enc({"action": "scalars", "payload": with_(SCALARS_MIN, anything={"ref": 1, "version": "x"})}))
    frame("envelope/only-envelope", enc({"ref": "e6", "version": 1}))


def not_json():
    for name, text in [
        ("garbage", "not json"),
        ("empty", ""),
        ("space", " "),
        ("open-brace", "{"),
        ("close-brace", "}"),
        ("trailing-data", '{"action":"ping"} x'),
        ("two-objects", '{"action":"ping"}{"action":"ping"}'),
        ("trailing-comma-object", '{"action":"ping",}'),
        ("trailing-comma-array", '{"action":"scalars","payload":{"text":"a","count":1,"ratio":1,"flag":true,"anything":[1,]}}'),
        ("single-quotes", "{'action':'ping'}"),
        ("unquoted-key", '{action:"ping"}'),
        ("comment", '{"action":"ping"} // hi'),
        ("leading-zero", '{"action":"scalars","payload":{"text":"a","count":01,"ratio":1,"flag":true}}'),
        ("plus-sign", '{"action":"scalars","payload":{"text":"a","count":+1,"ratio":1,"flag":true}}'),
        ("leading-dot", '{"action":"scalars","payload":{"text":"a","count":1,"ratio":.5,"flag":true}}'),
        ("trailing-dot", '{"action":"scalars","payload":{"text":"a","count":1,"ratio":1.,"flag":true}}'),
        ("hex-number", '{"action":"scalars","payload":{"text":"a","count":0x10,"ratio":1,"flag":true}}'),
        ("lowercase-nan", '{"action":"scalars","payload":{"text":"a","count":1,"ratio":nan,"flag":true}}'),
        ("capital-true", '{"action":"scalars","payload":{"text":"a","count":1,"ratio":1,"flag":True}}'),
        ("unterminated-string", '{"action":"ping'),
        ("truncated", '{"action":"ping",'),
        ("missing-colon", '{"action" "ping"}'),
        ("whitespace-around", ' \n\t{"action":"ping"}\r\n '),
        ("nul-after", '{"action":"ping"}\u0000'),
        ("literal-null", "null"),
        ("literal-true", "true"),
        ("literal-number", "1"),
        ("literal-nan", "NaN"),
        ("literal-minus-infinity", "-Infinity"),
        ("literal-string", '"ping"'),
        ("array", '[{"action":"ping"}]'),
        ("empty-array", "[]"),
    ]:
        frame(f"not-json/{name}", text)
    frame("not-json/binary-ping", '{"action":"ping"}', binary=True)
    frame("not-json/binary-garbage", "\u00ff\u00fe binary", binary=True)


def actions():
    for name, text in [
        ("empty-object", "{}"),
        ("payload-only", '{"payload":{"text":"a"}}'),
        ("unknown", '{"action":"nope"}'),
        ("unknown-with-payload", '{"action":"nope","payload":{"x":1}}'),
        ("empty-string", '{"action":""}'),
        ("case", '{"action":"PING"}'),
        ("spaces", '{"action":" ping"}'),
        ("echo-action", '{"action":"scalars_echo","payload":{}}'),
        ("int", '{"action":5}'),
        # The tag's repr in the error: Python escapes what it cannot print
        # (unassigned code points, a no-break space, private use).
        ("unprintable-in-tag", '{"action":"\\u0e65\\u0378\\u00a0\\ue000 \\u0e01"}'),
        ("unprintable-in-object-tag", '{"action":{"pric\\u0e65":"ping"}}'),
        ("float", '{"action":1.5}'),
        ("bool", '{"action":true}'),
        ("null", '{"action":null}'),
        ("list", '{"action":["ping"]}'),
        ("object", '{"action":{"a":1}}'),
        ("duplicate-last-wins", '{"action":"nope","action":"ping"}'),
        ("duplicate-last-unknown", '{"action":"ping","action":"nope"}'),
        ("quote-in-action", '{"action":"it\'s \\"x\\""}'),
        ("nul-in-action", '{"action":"ping\\u0000"}'),
        ("long-unknown", '{"action":"' + "x" * 10000 + '"}'),
        ("ping-with-payload", '{"action":"ping","payload":3}'),
        ("ping-with-object-payload", '{"action":"ping","payload":{}}'),
        # The tag's text appears only in the error: every kind of value it renders.
        ("big-int", '{"action":123456789012345678901234567890}'),
        ("negative-zero", '{"action":-0.0}'),
        ("exponent", '{"action":1e300}'),
        ("unicode", '{"action":"p\u00efng\u2713"}'),
        ("escapes", '{"action":"a\\nb\\tc\\\\"}'),
        ("nested-object", '{"action":{"k":["v",1,null,true]}}'),
        ("empty-list", '{"action":[]}'),
    ]:
        frame(f"action/{name}", text)


def big():
    message("big/long-string", "scalars", with_(SCALARS_MIN, text="\u00e9" + "x" * 100000))
    message("big/long-name-too-long", "constraints", with_(CONSTRAINTS_MIN, name="n" * 10000))
    message("big/long-sku-pattern", "constraints", with_(CONSTRAINTS_MIN, sku="A" * 10000))
    message("big/list-too-long", "collections", with_(COLLECTIONS_MIN, ints=list(range(10000))))
    message("big/variadic-tuple", "collections", with_(COLLECTIONS_MIN, many=list(range(10000))))
    message("big/many-errors", "collections",
            with_(COLLECTIONS_MIN, positives=[i if i % 10 else 0 for i in range(1, 1001)]))
    message("big/holes", "collections", with_(COLLECTIONS_MIN, holes=[None, "x"] * 2500))
    message("big/any-list", "scalars", with_(SCALARS_MIN, anything=list(range(20000))))
    message("big/dict", "collections", with_(COLLECTIONS_MIN, groups={f"k{i}": [i] for i in range(2000)}))
    message("big/forest", "recursive", {"forest": [{"name": f"t{i}"} for i in range(3000)]})


def duplicate_fields():
    """A field written twice in a payload: Python's dict keeps the last
    value (in the first key's place), and so must the decoded message."""

    def scalars(*pairs):
        return enc(Pairs(("action", "scalars"), ("payload", Pairs(*pairs))))

    rest = (("ratio", 0.5), ("flag", True))
    frame("duplicate/field-last-wins",
          scalars(("text", "first"), ("count", 1), ("text", "last"), *rest))
    frame("duplicate/field-invalid-then-valid",
          scalars(("text", "hi"), ("count", "x"), ("count", 2), *rest))
    frame("duplicate/field-valid-then-invalid",
          scalars(("text", "hi"), ("count", 2), ("count", "x"), *rest))
    frame("duplicate/optional-null-then-value",
          scalars(("text", "hi"), ("count", 1), ("maybe", None), ("maybe", 7), *rest))
    frame("duplicate/optional-value-then-null",
          scalars(("text", "hi"), ("count", 1), ("maybe", 7), ("maybe", None), *rest))
    frame("duplicate/any-field",
          scalars(("text", "hi"), ("count", 1), ("anything", [1]), ("anything", {"k": 2}), *rest))
    frame("duplicate/nested-model",
          enc(Pairs(("action", "nested"), ("payload", Pairs(
              ("trunk", Pairs(("name", "a"), ("branch", BRANCH), ("name", "b"))))))))
    frame("duplicate/whole-payload",
          enc(Pairs(("action", "scalars"), ("payload", {"text": 5}),
                    ("payload", SCALARS_MIN))))


def in_place():
    """Frames for validation in place: the frame's own object is changed
    (defaults added, coerced values replaced, unknown keys dropped), small
    objects and ones past 16 keys (kept as a list and as a hash table).
    Each gives `origin`, whose default the document does not carry (see
    missing/payload-defaults), so what is compared is the rest."""
    origin = {"x": 1, "y": 2}
    frame("in-place/unknown-keys-around-defaults",
          enc(Pairs(("zz", 1), ("action", "defaults"), ("payload", {"title": "t", "origin": origin}),
                    ("yy", [1]))))
    frame("in-place/payload-first-coerced",
          enc(Pairs(("payload", {"count": "7", "flag": "yes", "origin": origin}), ("action", "defaults"))))
    frame("in-place/payload-twice",
          enc(Pairs(("action", "defaults"), ("payload", {"title": "a"}),
                    ("payload", {"count": 2, "origin": origin}))))
    frame("in-place/many-unknown-top-keys",
          enc(Pairs(("action", "defaults"), ("payload", {"origin": origin}),
                    *((f"k{i}", i) for i in range(20)))))
    frame("in-place/many-unknown-payload-keys",
          enc({"action": "defaults",
               "payload": {**{f"k{i}": i for i in range(20)}, "ratio": "2.5", "origin": origin}}))
    frame("in-place/invalid-beside-defaults",
          enc(Pairs(("action", "defaults"), ("payload", {"count": "x", "zz": 1}), ("ref", "r"))))
    frame("in-place/scalars-unknown-and-coerced",
          enc({"action": "scalars", "payload": with_(SCALARS_MIN, count="12", zzz=1), "meta": 1}))
    # Nested models are rebuilt (not changed in place) when a field of
    # theirs changed: in the model's field order, whatever the input's, with
    # the unchanged fields copied, defaults added and unknown keys dropped.
    trunk = {"name": "t", "branch": {"label": "b", "leaf": {"value": 1}}}
    frame("in-place/nested-changed-after-unchanged",
          enc({"action": "nested", "payload": {"trunk": trunk, "leaves": [{"note": "x", "value": "7"}]}}))
    frame("in-place/nested-default-filled-and-changed",
          enc({"action": "nested", "payload": {
              "trunk": {"name": "t", "branch": {"label": "b", "leaf": {"value": "3"}}},
              "leaves": [{"value": "7"}, {"value": 8}]}}))
    frame("in-place/nested-unknown-key-dropped",
          enc({"action": "nested", "payload": {
              "trunk": {"name": "t", "branch": {"label": "b", "leaf": {"value": 1}},
                        "spare": {"leaf": {"value": 1}, "label": "s", "q": 2}},
              "leaves": [{"note": "x", "value": 7, "zz": 1}]}}))
    frame("in-place/nested-deep-changed-middle",
          enc({"action": "nested", "payload": {
              "trunk": {"branch": {"leaf": {"note": "n", "value": "4"}, "label": "b"}, "name": "t",
                        "spare": {"label": "s", "leaf": {"value": "5"}}},
              "maybe_leaf": {"note": "m", "value": "6", "extra": [1]}}}))

def string_lengths():
    """Strings around the sizes the runtime treats differently: up to 30
    bytes a parsed string is held in place, longer ones on the heap; the
    parser and writer check eight bytes at a time. As values echoed back,
    as dict keys, as the input of an error, with an escape or a multi-byte
    character across the edges, and as an unknown tag or forbidden key."""
    for n in (7, 8, 9, 15, 16, 17, 29, 30, 31, 32, 64):
        message(f"strings/text-{n}-bytes", "scalars", with_(SCALARS_MIN, text="x" * n))
        message(f"strings/key-{n}-bytes", "collections",
                with_(COLLECTIONS_MIN, counts={"k" * n: n}))
    message("strings/multibyte-across-30", "scalars", with_(SCALARS_MIN, text="x" * 29 + "\u00e9"))
    message("strings/emoji-across-30", "scalars", with_(SCALARS_MIN, text="x" * 28 + "\U0001F980"))
    message("strings/quote-at-byte-8", "scalars", with_(SCALARS_MIN, text="x" * 7 + '"' + "y" * 30))
    message("strings/del-at-byte-16", "scalars", with_(SCALARS_MIN, text="x" * 15 + "\u007f"))
    base = enc({"action": "scalars", "payload": with_(SCALARS_MIN, text=Raw('"@"'))})
    frame("strings/escape-ends-at-30", base.replace("@", "x" * 28 + "\\n"))
    frame("strings/escape-crosses-30", base.replace("@", "x" * 29 + "\\u00e9"))
    frame("strings/escaped-31-bytes", base.replace("@", "\\t" * 31))
    message("strings/too-long-31-bytes", "constraints", with_(CONSTRAINTS_MIN, name="n" * 31))
    message("strings/pattern-fails-31-bytes", "constraints", with_(CONSTRAINTS_MIN, sku="S" * 31))
    frame("strings/unknown-action-31-bytes", enc({"action": "a" * 31}))
    frame("strings/unknown-action-30-bytes", enc({"action": "a" * 30}))
    message("strings/forbidden-key-31-bytes", "strict_extra", with_(STRICT_MIN, **{"z" * 31: 1}))


def common():
    """Aliases, int|float, models in dicts and optional lists, bounded items,
    Literal[True], enums in lists and dicts, untagged unions of models."""
    for name, changes in [
        ("amount-int", {"amount": 7}),
        ("amount-float-integral", {"amount": 7.0}),
        ("amount-str-int", {"amount": "7"}),
        ("amount-str-float", {"amount": "7.5"}),
        ("amount-bool", {"amount": True}),
        ("amount-str-word", {"amount": "seven"}),
        ("amount-null", {"amount": None}),
        ("score-negative", {"score": -0.5}),
        ("score-str", {"score": "1.5"}),
        ("level-zero", {"level": 0}),
        ("level-float", {"level": 2.0}),
        ("flag-false", {"flag_true": False}),
        ("flag-one", {"flag_true": 1}),
        ("flag-str", {"flag_true": "true"}),
        ("when-naive", {"when": "2024-01-31T12:34:56"}),
        ("when-timestamp", {"when": 1704067200}),
        ("when-bad", {"when": "yesterday"}),
        ("short-words-long", {"short_words": ["abcd", "ab", "abcde"]}),
        ("short-words-not-str", {"short_words": [1]}),
        ("leaves-by-name-bad", {"leaves_by_name": {"x": {"value": "v"}, "y": 3}}),
        ("leaves-by-name-list", {"leaves_by_name": [{"value": 1}]}),
        ("maybe-leaves-null", {"maybe_leaves": None}),
        ("maybe-leaves-bad", {"maybe_leaves": [{"value": 1}, {"note": "n"}]}),
        ("colors-bad", {"colors": ["red", "pink", "RED"]}),
        ("priorities-str", {"priorities": {"a": "2"}}),
        ("priorities-bad", {"priorities": {"a": 4, "b": "low"}}),
        ("mixed-neither", {"mixed": [{"label": "l"}]}),
        ("mixed-both", {"mixed": [{"value": 1, "label": "l", "leaf": {"value": 2}}]}),
        ("mixed-scalar", {"mixed": [1]}),
    ]:
        message(f"common/{name}", "common", with_(COMMON_MIN, **changes))
    message("common/missing-amount", "common", {})
    for name, payload in [
        ("valid-empty", {}),
        ("valid-full", {"by_day": {"2024-01-31": 1}, "secret": "hunter2",
                        "uid4": "550e8400-e29b-41d4-a716-446655440000", "addr": "::1",
                        "triple": 999999}),
        ("by-day-bad-key", {"by_day": {"yesterday": 1, "2024-02-30": 2}}),
        ("by-day-datetime-key", {"by_day": {"2024-01-31T00:00:00": 1}}),
        ("by-day-bad-value", {"by_day": {"2024-01-31": "x"}}),
        ("secret-empty", {"secret": ""}),
        ("secret-not-str", {"secret": 1}),
        ("uid4-version-1", {"uid4": "a8098c1a-f86e-11da-bd1a-00112444be1e"}),
        ("uid4-nil", {"uid4": "00000000-0000-0000-0000-000000000000"}),
        ("uid4-upper", {"uid4": "550E8400-E29B-41D4-A716-446655440000"}),
        ("addr-v4", {"addr": "10.0.0.1"}),
        ("addr-v6-full", {"addr": "2001:0db8:0000:0000:0000:ff00:0042:8329"}),
        ("addr-v4-mapped", {"addr": "::ffff:10.0.0.1"}),
        ("addr-bad", {"addr": "10.0.0.256"}),
        ("addr-int", {"addr": 167772161}),
        ("triple-not-multiple", {"triple": 4}),
        ("triple-below", {"triple": -6}),
        ("triple-above", {"triple": 1000002}),
        ("triple-float", {"triple": 6.0}),
    ]:
        message(f"typed/{name}", "typed", payload)
    # Payloads that are not models.
    for name, action, text in [
        ("text", "text_payload", '"hi"'),
        ("text-int", "text_payload", "5"),
        ("text-null", "text_payload", "null"),
        ("text-object", "text_payload", '{"a": 1}'),
        ("list", "list_payload", '[{"value": 1}, {"value": 2, "note": "n"}]'),
        ("list-empty", "list_payload", "[]"),
        ("list-bad-item", "list_payload", '[{"value": 1}, {"note": 2}, 3]'),
        ("list-object", "list_payload", '{"value": 1}'),
        ("either-leaf", "either_payload", '{"value": 1}'),
        ("either-branch", "either_payload", '{"label": "l", "leaf": {"value": 1}}'),
        ("either-neither", "either_payload", '{"label": 1}'),
        ("either-list", "either_payload", "[]"),
        ("maybe-map", "maybe_map_payload", '{"a": 1, "b": "2"}'),
        ("maybe-map-null", "maybe_map_payload", "null"),
        ("maybe-map-bad", "maybe_map_payload", '{"a": "x"}'),
        ("maybe-map-list", "maybe_map_payload", "[1]"),
        ("number", "number_payload", "7"),
        ("number-str", "number_payload", '"7"'),
        ("number-float", "number_payload", "7.5"),
        ("number-null", "number_payload", "null"),
    ]:
        frame(f"payloads/{name}", f'{{"action":"{action}","payload":{text}}}')
    for action in ["text_payload", "list_payload", "either_payload", "maybe_map_payload",
                   "number_payload"]:
        frame(f"payloads/{action}-absent", f'{{"action":"{action}"}}')
    # Patterns only Python's re reads (look-ahead, backreference) and an
    # unanchored one.
    for name, payload in [
        ("valid", {"pin": "abc1", "twice": "ab-ab", "inside": "abd"}),
        ("pin-no-digit", {"pin": "abcd"}),
        ("pin-short", {"pin": "a1"}),
        ("pin-upper", {"pin": "ABC1"}),
        ("twice-differs", {"pin": "abc1", "twice": "ab-ba"}),
        ("twice-unicode", {"pin": "abc1", "twice": "é1-é1"}),
        ("inside-at-start", {"pin": "abc1", "inside": "bd"}),
        ("inside-then-c", {"pin": "abc1", "inside": "abc"}),
        ("inside-later", {"pin": "abc1", "inside": "bcb"}),
        ("pin-unicode-digit", {"pin": "abc\u0663"}),
        ("pin-trailing-newline", {"pin": "abc1\n"}),
    ]:
        message(f"python-re/{name}", "python_re", payload)
    # A field read under its alias: the valid ones are a known difference
    # (chanx replies with the field's Python name).
    message("alias/valid", "alias", {"userName": "ann"})
    message("alias/field-name", "alias", {"user_name": "ann"})
    message("alias/both-names", "alias", {"userName": "ann", "user_name": "bob"})
    message("alias/wrong-type", "alias", {"userName": 1})
    message("alias/missing", "alias", {"note": "n"})


def main():
    valid()
    common()
    constraints()
    several()
    lax()
    numbers()
    unicode()
    extra()
    missing()
    nulls()
    containers()
    formats()
    unions_and_choices()
    deep()
    envelope()
    not_json()
    actions()
    big()
    duplicate_fields()
    in_place()
    string_lengths()
    text = "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in FRAMES)
    if sys.argv[1:] == ["--check"]:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is stale: run python3 {Path(__file__).name}", file=sys.stderr)
            sys.exit(1)
        return
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {len(FRAMES)} frames to {OUTPUT.name}")


if __name__ == "__main__":
    main()
