"""Expected pydantic behaviour for the runtime validator, recorded from the real thing.

Run with the pinned interop Python (tests/interop/.venv/bin/python):

    python codegen/tests/pydantic/cases.py

It writes `document.json` (an AsyncAPI document whose component schemas are
the JSON Schema pydantic emits for the models below, with `$defs` moved to
`#/components/schemas`, as chanx does) and `cases.jsonl` (one line per case: each input frame and
what pydantic answers: `model_dump(mode="json")` of the validated model, or
`errors(include_url=False, include_input=False)`). `codegen/tests/pydantic_oracle.rs`
validates every input with the program chanx-codegen compiles from the
document and compares.
"""

import datetime
import decimal
import enum
import json
import pathlib
import uuid
from typing import Annotated, Any, Literal, Optional, Union

from chanx.asyncapi.type_defs import normalize_discriminators
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.json_schema import models_json_schema

HERE = pathlib.Path(__file__).parent


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Inner(BaseModel):
    a: int
    b: str


class Scalars(BaseModel):
    i: int
    f: float
    b: bool
    s: str
    n: None = None


class Constrained(BaseModel):
    name: str = Field(min_length=2, max_length=5, pattern=r"^[a-z]+$")
    n: int = Field(ge=0, le=10)
    odd: int = Field(default=3, gt=0, lt=100, multiple_of=3)
    ratio: float = Field(default=0.5, gt=0, le=1.5, multiple_of=0.25)
    tags: list[str] = Field(default=[], max_length=3)
    some: list[int] = Field(default=[1], min_length=1)


class Choices(BaseModel):
    lit: Literal["a", "b"]
    one: Literal["x"] = "x"
    num: Literal[1, 2] = 1
    mixed: Literal["a", 1] = "a"
    color: Color = Color.RED
    level: Level = Level.LOW


class Collections(BaseModel):
    xs: list[int] = []
    pair: tuple[int, str] = (0, "")
    ints: set[int] = set()
    counts: dict[str, int] = {}
    nested: dict[str, list[int]] = {}
    maybe: list[Optional[str]] = []
    positive: list[Annotated[int, Field(gt=0)]] = []
    small: dict[str, int] = Field(default={}, max_length=2)


class Nested(BaseModel):
    inner: Inner
    maybe: Optional[Inner] = None
    inners: list[Inner] = []


class Kid(BaseModel):
    kind: Literal["kid"] = "kid"
    age: int


class Adult(BaseModel):
    kind: Literal["adult"]
    job: str


class Unions(BaseModel):
    num_or_text: Union[int, str] = 0
    model_or_int: Union[Inner, int] = 0
    person: Union[Kid, Adult, None] = None
    tagged: Annotated[Union[Kid, Adult], Field(discriminator="kind")] = Kid(age=1)
    text_or_float: Union[str, float] = ""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    a: int
    b: str = "x"


class Allow(BaseModel):
    model_config = ConfigDict(extra="allow")
    a: int = 0


class Tree(BaseModel):
    name: str
    kids: list["Tree"] = []


class Anything(BaseModel):
    value: Any = None
    maybe: Optional[int] = None


class Wide(BaseModel):
    a: int = 0
    b: int = 0
    c: int = 0


class Narrow(BaseModel):
    a: int = 0


class MoreUnions(BaseModel):
    int_float: Union[int, float] = 0
    str_int: Union[str, int] = ""
    bool_int: Union[bool, int] = False
    list_str: Union[list[int], str] = ""
    literal_str: Union[Literal["a"], str] = ""
    color_str: Union[Color, str] = ""
    when: Union[datetime.datetime, str] = ""
    models: Union[Narrow, Wide] = Narrow()
    maybe_either: Optional[Union[int, str]] = None
    many: list[Union[int, Inner]] = []
    keys: dict[Annotated[str, Field(min_length=2)], int] = {}
    day: Optional[datetime.date] = None
    uid: Optional[uuid.UUID] = None
    money: Optional[decimal.Decimal] = None


MODELS = [Scalars, Constrained, Choices, Collections, Nested, Unions, Strict, Allow, Tree, Anything, MoreUnions]

# (model, raw JSON text of the input)
CASES: list[tuple[type[BaseModel], str]] = []


def case(model: type[BaseModel], *texts: str) -> None:
    for text in texts:
        CASES.append((model, text))


case(
    Scalars,
    '{"i": 1, "f": 1.5, "b": true, "s": "x"}',
    '{"i": "5", "f": "1.5", "b": "true", "s": "x"}',
    '{"i": " 5 ", "f": 2, "b": 1, "s": ""}',
    '{"i": "5_000", "f": "1_000.5", "b": "yes", "s": "x"}',
    '{"i": 5.0, "f": "nan", "b": "off", "s": "x"}',
    '{"i": 5.5, "f": "x", "b": 2, "s": 1}',
    '{"i": "5.5", "f": null, "b": 1.5, "s": true}',
    '{"i": "1e3", "f": [], "b": null, "s": null}',
    '{"i": true, "f": true, "b": "T", "s": "x", "n": null}',
    '{"i": null, "f": {}, "b": [], "s": [], "n": 1}',
    '{"i": 123456789012345678901234567890, "f": 1e308, "b": 0, "s": "x"}',
    '{"i": 1e20, "f": 1e400, "b": 0.0, "s": "x"}',
    '{"i": NaN, "f": Infinity, "b": "no", "s": "x"}',
    '{"i": -0, "f": -0.0, "b": "N", "s": "\\u00e9"}',
    '{"i": "٣", "f": "inf", "b": "1", "s": "x"}',
    '{"i": "", "f": "-Infinity", "b": "0", "s": "x"}',
    '{"i": 9223372036854775807, "f": 9223372036854775808, "b": "t", "s": "x"}',
    '{"i": -9223372036854775809, "f": 5e-324, "b": "f", "s": "x"}',
    '{}',
    '[]',
    '"x"',
    '{"i": "+5", "f": " 1.5 ", "b": "ON", "s": "x"}',
    '{"i": "05", "f": "1e5", "b": "y", "s": "x"}',
    '{"i": "5.", "f": ".5", "b": "maybe", "s": "x"}',
)
case(
    Constrained,
    '{"name": "abc", "n": 5}',
    '{"name": "a", "n": 11}',
    '{"name": "abcdefgh", "n": -1}',
    '{"name": "ABC", "n": "3"}',
    '{"name": "A", "n": 5}',
    '{"name": "abc", "n": 5, "odd": 4}',
    '{"name": "abc", "n": 5, "odd": 102}',
    '{"name": "abc", "n": 5, "odd": 0}',
    '{"name": "abc", "n": 5, "ratio": 0.3}',
    '{"name": "abc", "n": 5, "ratio": 2.0}',
    '{"name": "abc", "n": 5, "ratio": 0}',
    '{"name": "abc", "n": 5, "ratio": NaN}',
    '{"name": "abc", "n": 5, "ratio": 0.75}',
    '{"name": "abc", "n": 5, "tags": ["a", "b", "c", "d"]}',
    '{"name": "abc", "n": 5, "tags": [1, 2, 3, 4]}',
    '{"name": "abc", "n": 5, "tags": [1]}',
    '{"name": "abc", "n": 5, "some": []}',
    '{"name": "abc", "n": 5, "some": ["x"]}',
    '{"name": 5, "n": "x", "odd": 5.5, "ratio": "x", "tags": "x", "some": {}}',
    '{"name": "ab\\u00e9", "n": 5}',
)
case(
    Choices,
    '{"lit": "a"}',
    '{"lit": "c", "one": "y", "num": 3, "mixed": 2, "color": "blue", "level": 3}',
    '{"lit": 1, "num": "1", "mixed": "1", "color": 1, "level": "1"}',
    '{"lit": "b", "num": 1.0, "mixed": 1, "color": "green", "level": 2.0}',
    '{"lit": "b", "num": true, "level": true}',
    '{"lit": null, "one": null, "color": null, "level": null}',
    '{"lit": "b", "level": "x"}',
    '{"lit": ["a"]}',
)
case(
    Collections,
    '{}',
    '{"xs": [1, "2", 3.0], "pair": [1, "a"], "ints": [3, 1, 2, 1], "counts": {"z": 1, "a": "2"}}',
    '{"xs": "ab", "pair": [1], "ints": "x", "counts": []}',
    '{"xs": {"a": 1}, "pair": [1, "a", 2], "ints": {}, "counts": "x"}',
    '{"xs": ["x", "y"], "pair": ["x", 1], "ints": ["a"], "counts": {"a": "x", "b": "y"}}',
    '{"pair": "ab", "ints": [8, 1], "nested": {"a": [1, "x"], "b": "y"}}',
    '{"ints": [100, 1, 9, 100], "maybe": ["a", null, 1]}',
    '{"positive": [1, 0, -1, "x"]}',
    '{"small": {"a": 1, "b": 2, "c": 3}}',
    '{"small": {"a": "x"}, "counts": {"a": null}}',
    '{"xs": null, "pair": null, "ints": null, "counts": null, "nested": null, "maybe": null}',
    '{"ints": [1.5]}',
    '{"ints": [true, 1, 2.0]}',
)
case(
    Nested,
    '{"inner": {"a": 1, "b": "x"}}',
    '{"inner": {"a": "x"}}',
    '{"inner": [5, "l"]}',
    '{"inner": "x", "maybe": 5}',
    '{"inner": {"a": 1, "b": "x"}, "maybe": null, "inners": [{"a": 1, "b": "x"}, {"a": "y"}, 3]}',
    '{"inner": {"a": 1, "b": "x", "c": 3}, "maybe": {"a": 2, "b": "y"}}',
    '{}',
    '{"inner": null}',
)
case(
    Unions,
    '{}',
    '{"num_or_text": "x", "model_or_int": {"a": 1, "b": "x"}}',
    '{"num_or_text": "5", "model_or_int": "5"}',
    '{"num_or_text": 1.0, "model_or_int": 1.5}',
    '{"num_or_text": [], "model_or_int": {"a": 1}}',
    '{"num_or_text": null, "model_or_int": null}',
    '{"person": {"kind": "kid", "age": 3}}',
    '{"person": {"kind": "adult", "job": "x"}}',
    '{"person": {"age": 3}}',
    '{"person": {"kind": "x"}}',
    '{"person": {}}',
    '{"person": 5}',
    '{"tagged": {"kind": "kid", "age": "x"}}',
    '{"tagged": {"kind": "x"}}',
    '{"tagged": {}}',
    '{"tagged": 5}',
    '{"tagged": {"kind": 5}}',
    '{"tagged": {"kind": null}}',
    '{"tagged": {"kind": ["a"]}}',
    '{"tagged": {"kind": "adult", "job": "x"}}',
    '{"text_or_float": 1}',
    '{"text_or_float": "1"}',
    '{"text_or_float": true}',
    '{"text_or_float": null}',
    '{"num_or_text": true}',
)
case(
    Strict,
    '{"a": 1}',
    '{"z": 1, "a": "x", "y": 2}',
    '{"a": 1, "b": null}',
    '{"b": "x", "c": 1}',
)
case(
    Allow,
    '{"a": 1, "z": [1, 2], "y": null}',
    '{"z": 1}',
)
case(
    Tree,
    '{"name": "root", "kids": [{"name": "a", "kids": [{"name": "b"}]}]}',
    '{"name": "root", "kids": [{"name": 1, "kids": [{"kids": "x"}]}]}',
    '{"name": "root", "kids": [{}]}',
)
case(
    Anything,
    '{"value": {"z": 1, "a": [1, 2.5, "x", null, true]}}',
    '{"value": NaN}',
    '{"value": 12345678901234567890123}',
    '{"maybe": "5"}',
    '{"maybe": "x"}',
    '{"maybe": 5.5}',
)


case(
    MoreUnions,
    '{}',
    '{"int_float": "5", "str_int": 5, "bool_int": 1, "list_str": [1, "2"], "literal_str": "a"}',
    '{"int_float": 5.0, "str_int": "5", "bool_int": true, "list_str": "x", "literal_str": "b"}',
    '{"int_float": 5.5, "str_int": 5.5, "bool_int": "1", "list_str": ["x"], "literal_str": 1}',
    '{"int_float": "x", "str_int": null, "bool_int": 2, "list_str": null, "literal_str": null}',
    '{"color_str": "red", "when": "2024-01-01T00:00:00"}',
    '{"color_str": "blue", "when": 1700000000}',
    '{"color_str": 1, "when": null}',
    '{"models": {"a": 1, "b": 2}}',
    '{"models": {"a": 1}}',
    '{"models": {}}',
    '{"models": {"a": "x", "b": "y"}}',
    '{"models": 5}',
    '{"maybe_either": 5, "many": [1, {"a": 1, "b": "x"}, "3"]}',
    '{"maybe_either": [], "many": [{"a": "x"}, "y"]}',
    '{"keys": {"ab": 1, "a": 2, "": "x"}}',
    '{"keys": {"abc": "5"}}',
    '{"day": "2024-02-29", "uid": "12345678123456781234567812345678", "money": "1.50"}',
    '{"day": "2023-02-29", "uid": "x", "money": "abc"}',
    '{"day": 1700000000, "uid": 5, "money": 1.5}',
    '{"day": "2024-01-01T00:00:00", "uid": "12345678-1234-5678-1234-567812345678", "money": 10}',
    '{"day": "2024-01-01T10:00:00", "money": NaN}',
)


def document() -> dict[str, Any]:
    _, top = models_json_schema([(m, "validation") for m in MODELS], ref_template="#/components/schemas/{model}")
    schemas = top.get("$defs", {})
    # As chanx does: AsyncAPI takes the discriminator's property name only.
    normalize_discriminators(schemas)
    messages = {m.__name__: {"payload": {"$ref": f"#/components/schemas/{m.__name__}"}} for m in MODELS}
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "pydantic oracle", "version": "1.0.0"},
        "channels": {
            "cases": {
                "address": "/cases",
                "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
            }
        },
        "operations": {
            "receive": {
                "action": "receive",
                "channel": {"$ref": "#/channels/cases"},
                "messages": [{"$ref": f"#/channels/cases/messages/{name}"} for name in messages],
            }
        },
        "components": {"schemas": schemas, "messages": messages},
    }


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def outcome(model: type[BaseModel], text: str) -> dict[str, Any]:
    data = json.loads(text)
    try:
        return {"ok": model.model_validate(data).model_dump(mode="json")}
    except ValidationError as error:
        return {"errors": jsonable(error.errors(include_url=False, include_input=False))}


def main() -> None:
    (HERE / "document.json").write_text(json.dumps(document(), indent=2) + "\n")
    cases = [{"message": m.__name__, "input": text, **outcome(m, text)} for m, text in CASES]
    (HERE / "cases.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases))
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
