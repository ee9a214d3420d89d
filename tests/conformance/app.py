"""The chanx app of the differential conformance test, on FastAPI, served by uvicorn.

`python app.py PORT` serves one consumer at `/ws/conformance` and, at
`/asyncapi.json`, the AsyncAPI document chanx emits for it (checked in beside
this file as `asyncapi.json`; the Rust server of this directory is generated
from that copy).

Every handler takes a message whose payload uses a different part of what
pydantic can say and chanx can put into an AsyncAPI document (scalars, string
and number constraints, collections, nested and recursive models, unions with
and without a discriminator, literals and enums, string formats, forbidden
extra fields, defaults), and answers with an echo message carrying the
validated payload unchanged. So a valid frame's answer shows pydantic's
normalisation (coercions, filled defaults, `model_dump(mode="json")`) and an
invalid one shows pydantic's errors: `tests/differential.rs` sends the frames
of `frames.jsonl` to this app and to the Rust server and compares the answers.

`python app.py --asyncapi` prints the document without serving, as checked
in (rewrite the copy with `python app.py --asyncapi > asyncapi.json`; the
test fails while it is stale). Only the packages pinned in
`tests/interop/requirements.txt` are used.
"""

import json
import sys
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum, IntEnum
from ipaddress import IPv4Address
from typing import Annotated, Any, Literal, Optional, Union
from uuid import UUID

import uvicorn
from fastapi import FastAPI
from fast_channels.layers import InMemoryChannelLayer, register_channel_layer
from pydantic import (
    UUID4,
    AnyUrl,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    IPvAnyAddress,
    PositiveInt,
    SecretStr,
    StringConstraints,
)
from starlette.requests import Request
from starlette.responses import JSONResponse

from chanx.core.decorators import channel, ws_handler
from chanx.fast_channels.views import generate_asyncapi_schema
from chanx.fast_channels.websocket import AsyncJsonWebsocketConsumer
from chanx.messages.base import BaseMessage
from chanx.messages.incoming import PingMessage
from chanx.messages.outgoing import PongMessage

register_channel_layer("conformance", InMemoryChannelLayer())


# --- scalars: the plain JSON types, an optional int and Any -----------------


class ScalarsPayload(BaseModel):
    text: str
    count: int
    ratio: float
    flag: bool
    maybe: Optional[int] = None
    anything: Any = None


# --- constraints: every string and number bound ------------------------------

Code = Annotated[str, StringConstraints(min_length=2, max_length=6, pattern=r"^[a-z]+$")]


class ConstraintsPayload(BaseModel):
    name: str = Field(min_length=2, max_length=8)
    sku: str = Field(pattern=r"^[A-Z]{3}-\d{2}$")
    code: Code = "ab"
    age: int = Field(ge=0, le=150)
    level: int = Field(default=1, gt=0, lt=10)
    step: int = Field(default=0, multiple_of=5)
    ratio: float = Field(default=0.5, ge=0.0, le=1.0)
    temp: float = Field(default=20.0, gt=-273.15, lt=1000.0)
    price: float = Field(default=0.25, multiple_of=0.25)
    # A divisor a float cannot hold exactly.
    third: float = Field(default=0.3, multiple_of=0.3)


# --- collections --------------------------------------------------------------


class CollectionsPayload(BaseModel):
    ints: list[int] = Field(min_length=1, max_length=5)
    pair: tuple[int, str]
    many: tuple[int, ...] = ()
    unique: set[int] = set()
    names: frozenset[str] = frozenset()
    counts: dict[str, int] = Field(default={"a": 1}, min_length=1, max_length=3)
    holes: list[Optional[str]] = []
    groups: dict[str, list[int]] = {}
    positives: list[Annotated[int, Field(gt=0)]] = []


# --- nested: three levels, optional and listed models -------------------------


class Leaf(BaseModel):
    value: int
    note: str = ""


class Branch(BaseModel):
    label: str
    leaf: Leaf


class Trunk(BaseModel):
    name: str
    branch: Branch
    spare: Optional[Branch] = None


class NestedPayload(BaseModel):
    trunk: Trunk
    leaves: list[Leaf] = []
    maybe_leaf: Optional[Leaf] = None


# --- unions: scalar union, model union without a discriminator ---------------


class Circle(BaseModel):
    radius: float


class Square(BaseModel):
    side: float


class UnionsPayload(BaseModel):
    id: Union[int, str]
    shape: Union[Circle, Square]
    either: Union[int, str, None] = None
    shapes: list[Union[Circle, Square]] = []


# --- tagged: a union with Field(discriminator="kind") -------------------------


class Cat(BaseModel):
    kind: Literal["cat"]
    lives: int = 9


class Dog(BaseModel):
    kind: Literal["dog"]
    good: bool = True


Pet = Annotated[Union[Cat, Dog], Field(discriminator="kind")]


class TaggedPayload(BaseModel):
    pet: Pet
    others: list[Pet] = []


# --- choices: literals and enums ----------------------------------------------


class Color(str, Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class Priority(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3


class ChoicesPayload(BaseModel):
    mode: Literal["fast", "slow"]
    size: Literal[1, 2, 3]
    mixed: Literal["auto", 0] = "auto"
    only: Literal["only"] = "only"
    color: Color
    priority: Priority = Priority.LOW


# --- formats: strings pydantic parses into other types -----------------------


class FormatsPayload(BaseModel):
    day: date
    moment: datetime
    clock: time
    span: timedelta
    uid: UUID
    amount: Decimal
    link: AnyUrl
    home: HttpUrl
    ip: IPv4Address
    blob: bytes


# --- strict_extra: extra="forbid", itself and on a nested model ---------------


class StrictInner(BaseModel):
    model_config = ConfigDict(extra="forbid")

    x: int


class StrictPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    inner: StrictInner
    note: Optional[str] = None


# --- defaults: non-None defaults of every kind ---------------------------------


class Point(BaseModel):
    x: int = 0
    y: int = 0


class DefaultsPayload(BaseModel):
    title: str = "untitled"
    count: int = 3
    ratio: float = 0.5
    flag: bool = False
    tags: list[str] = ["a", "b"]
    # The document does not carry this default: chanx writes a property whose
    # type is a model as a bare $ref (see "Known differences" in
    # docs/wire-protocol.md).
    origin: Point = Point(x=1, y=2)
    mode: Literal["fast", "slow"] = "slow"
    color: Color = Color.GREEN
    nothing: Optional[str] = None


# --- recursive: a tree ----------------------------------------------------------


class TreeNode(BaseModel):
    name: str
    children: list["TreeNode"] = []


class RecursivePayload(BaseModel):
    # Only reachable through a list: chanx 2.13 fails at import when a
    # self-referencing model is a payload or a direct (or Optional) field, since
    # its JSON schema is then a bare $ref without properties.
    forest: list[TreeNode]


# --- common: what real apps write beside the plain types -----------------------


class CommonPayload(BaseModel):
    amount: Union[int, float]
    score: Optional[float] = Field(default=None, ge=0)
    level: PositiveInt = 1
    flag_true: Literal[True] = True
    when: Optional[datetime] = None
    short_words: list[Annotated[str, Field(max_length=3)]] = []
    leaves_by_name: dict[str, Leaf] = {}
    maybe_leaves: Optional[list[Leaf]] = None
    colors: list[Color] = []
    priorities: dict[str, Priority] = {}
    mixed: list[Union[Leaf, Branch]] = []


# --- typed: formats and keys the document names ---------------------------------------


class TypedPayload(BaseModel):
    by_day: dict[date, int] = {}
    secret: Optional[SecretStr] = None
    uid4: Optional[UUID4] = None
    addr: Optional[IPvAnyAddress] = None
    triple: Annotated[int, Field(ge=-5, le=1_000_000, multiple_of=3)] = 3


# --- python_re: patterns only Python's re reads ----------------------------------------


class PythonRePayload(BaseModel):
    # pydantic's default engine (the regex crate) refuses look-around and
    # backreferences; an app that needs them switches to Python's re.
    model_config = ConfigDict(regex_engine="python-re")

    pin: Annotated[str, Field(pattern=r"^(?=.*\d)[a-z\d]{4,8}$")]
    twice: Optional[Annotated[str, Field(pattern=r"^(\w+)-\1$")]] = None
    inside: Optional[Annotated[str, Field(pattern=r"b(?!c)")]] = None


# --- alias: a field validated under its alias ---------------------------------------


class AliasPayload(BaseModel):
    # chanx validates `userName` but replies with `user_name` (`model_dump`
    # without `by_alias`), while its document names `userName` both ways:
    # see "Known differences" in docs/wire-protocol.md.
    user_name: str = Field(alias="userName")
    note: str = ""


# --- messages -------------------------------------------------------------------


class ScalarsMessage(BaseMessage):
    action: Literal["scalars"] = "scalars"
    payload: ScalarsPayload


class ScalarsEcho(BaseMessage):
    action: Literal["scalars_echo"] = "scalars_echo"
    payload: ScalarsPayload


class ConstraintsMessage(BaseMessage):
    action: Literal["constraints"] = "constraints"
    payload: ConstraintsPayload


class ConstraintsEcho(BaseMessage):
    action: Literal["constraints_echo"] = "constraints_echo"
    payload: ConstraintsPayload


class CollectionsMessage(BaseMessage):
    action: Literal["collections"] = "collections"
    payload: CollectionsPayload


class CollectionsEcho(BaseMessage):
    action: Literal["collections_echo"] = "collections_echo"
    payload: CollectionsPayload


class NestedMessage(BaseMessage):
    action: Literal["nested"] = "nested"
    payload: NestedPayload


class NestedEcho(BaseMessage):
    action: Literal["nested_echo"] = "nested_echo"
    payload: NestedPayload


class UnionsMessage(BaseMessage):
    action: Literal["unions"] = "unions"
    payload: UnionsPayload


class UnionsEcho(BaseMessage):
    action: Literal["unions_echo"] = "unions_echo"
    payload: UnionsPayload


class TaggedMessage(BaseMessage):
    action: Literal["tagged"] = "tagged"
    payload: TaggedPayload


class TaggedEcho(BaseMessage):
    action: Literal["tagged_echo"] = "tagged_echo"
    payload: TaggedPayload


class ChoicesMessage(BaseMessage):
    action: Literal["choices"] = "choices"
    payload: ChoicesPayload


class ChoicesEcho(BaseMessage):
    action: Literal["choices_echo"] = "choices_echo"
    payload: ChoicesPayload


class FormatsMessage(BaseMessage):
    action: Literal["formats"] = "formats"
    payload: FormatsPayload


class FormatsEcho(BaseMessage):
    action: Literal["formats_echo"] = "formats_echo"
    payload: FormatsPayload


class StrictExtraMessage(BaseMessage):
    action: Literal["strict_extra"] = "strict_extra"
    payload: StrictPayload


class StrictExtraEcho(BaseMessage):
    action: Literal["strict_extra_echo"] = "strict_extra_echo"
    payload: StrictPayload


class DefaultsMessage(BaseMessage):
    action: Literal["defaults"] = "defaults"
    payload: DefaultsPayload = DefaultsPayload()


class DefaultsEcho(BaseMessage):
    action: Literal["defaults_echo"] = "defaults_echo"
    payload: DefaultsPayload


class RecursiveMessage(BaseMessage):
    action: Literal["recursive"] = "recursive"
    payload: RecursivePayload


class RecursiveEcho(BaseMessage):
    action: Literal["recursive_echo"] = "recursive_echo"
    payload: RecursivePayload


class TypedMessage(BaseMessage):
    action: Literal["typed"] = "typed"
    payload: TypedPayload


class TypedEcho(BaseMessage):
    action: Literal["typed_echo"] = "typed_echo"
    payload: TypedPayload


# Payloads that are not models: a string, a list of models, a union of
# models, an optional map, an int with a default.


class TextMessage(BaseMessage):
    action: Literal["text_payload"] = "text_payload"
    payload: str


class TextEcho(BaseMessage):
    action: Literal["text_payload_echo"] = "text_payload_echo"
    payload: str


class ListMessage(BaseMessage):
    action: Literal["list_payload"] = "list_payload"
    payload: list[Leaf]


class ListEcho(BaseMessage):
    action: Literal["list_payload_echo"] = "list_payload_echo"
    payload: list[Leaf]


class EitherMessage(BaseMessage):
    action: Literal["either_payload"] = "either_payload"
    payload: Union[Leaf, Branch]


class EitherEcho(BaseMessage):
    action: Literal["either_payload_echo"] = "either_payload_echo"
    payload: Union[Leaf, Branch]


class MaybeMapMessage(BaseMessage):
    action: Literal["maybe_map_payload"] = "maybe_map_payload"
    payload: Optional[dict[str, int]] = None


class MaybeMapEcho(BaseMessage):
    action: Literal["maybe_map_payload_echo"] = "maybe_map_payload_echo"
    payload: Optional[dict[str, int]] = None


class NumberMessage(BaseMessage):
    action: Literal["number_payload"] = "number_payload"
    payload: int = 0


class NumberEcho(BaseMessage):
    action: Literal["number_payload_echo"] = "number_payload_echo"
    payload: int = 0


class PythonReMessage(BaseMessage):
    action: Literal["python_re"] = "python_re"
    payload: PythonRePayload


class PythonReEcho(BaseMessage):
    action: Literal["python_re_echo"] = "python_re_echo"
    payload: PythonRePayload


class AliasMessage(BaseMessage):
    action: Literal["alias"] = "alias"
    payload: AliasPayload


class AliasEcho(BaseMessage):
    action: Literal["alias_echo"] = "alias_echo"
    payload: AliasPayload


class CommonMessage(BaseMessage):
    action: Literal["common"] = "common"
    payload: CommonPayload


class CommonEcho(BaseMessage):
    action: Literal["common_echo"] = "common_echo"
    payload: CommonPayload


# --- the consumer ---------------------------------------------------------------


@channel(name="conformance", description="Echoes every validated payload")
class ConformanceConsumer(AsyncJsonWebsocketConsumer):
    channel_layer_alias = "conformance"

    @ws_handler(summary="Handle ping requests")
    async def handle_ping(self, _message: PingMessage) -> PongMessage:
        return PongMessage()

    @ws_handler(summary="Echo scalars")
    async def handle_scalars(self, message: ScalarsMessage) -> ScalarsEcho:
        return ScalarsEcho(payload=message.payload)

    @ws_handler(summary="Echo constrained fields")
    async def handle_constraints(self, message: ConstraintsMessage) -> ConstraintsEcho:
        return ConstraintsEcho(payload=message.payload)

    @ws_handler(summary="Echo collections")
    async def handle_collections(self, message: CollectionsMessage) -> CollectionsEcho:
        return CollectionsEcho(payload=message.payload)

    @ws_handler(summary="Echo nested models")
    async def handle_nested(self, message: NestedMessage) -> NestedEcho:
        return NestedEcho(payload=message.payload)

    @ws_handler(summary="Echo unions")
    async def handle_unions(self, message: UnionsMessage) -> UnionsEcho:
        return UnionsEcho(payload=message.payload)

    @ws_handler(summary="Echo a discriminated union")
    async def handle_tagged(self, message: TaggedMessage) -> TaggedEcho:
        return TaggedEcho(payload=message.payload)

    @ws_handler(summary="Echo literals and enums")
    async def handle_choices(self, message: ChoicesMessage) -> ChoicesEcho:
        return ChoicesEcho(payload=message.payload)

    @ws_handler(summary="Echo string formats")
    async def handle_formats(self, message: FormatsMessage) -> FormatsEcho:
        return FormatsEcho(payload=message.payload)

    @ws_handler(summary="Echo a model that forbids extra fields")
    async def handle_strict_extra(self, message: StrictExtraMessage) -> StrictExtraEcho:
        return StrictExtraEcho(payload=message.payload)

    @ws_handler(summary="Echo defaults")
    async def handle_defaults(self, message: DefaultsMessage) -> DefaultsEcho:
        return DefaultsEcho(payload=message.payload)

    @ws_handler(summary="Echo a tree")
    async def handle_recursive(self, message: RecursiveMessage) -> RecursiveEcho:
        return RecursiveEcho(payload=message.payload)

    @ws_handler(summary="Echo formats and keys the document names")
    async def handle_typed(self, message: TypedMessage) -> TypedEcho:
        return TypedEcho(payload=message.payload)

    @ws_handler(summary="Echo a string payload")
    async def handle_text_payload(self, message: TextMessage) -> TextEcho:
        return TextEcho(payload=message.payload)

    @ws_handler(summary="Echo a list payload")
    async def handle_list_payload(self, message: ListMessage) -> ListEcho:
        return ListEcho(payload=message.payload)

    @ws_handler(summary="Echo a union payload")
    async def handle_either_payload(self, message: EitherMessage) -> EitherEcho:
        return EitherEcho(payload=message.payload)

    @ws_handler(summary="Echo an optional map payload")
    async def handle_maybe_map_payload(self, message: MaybeMapMessage) -> MaybeMapEcho:
        return MaybeMapEcho(payload=message.payload)

    @ws_handler(summary="Echo an int payload")
    async def handle_number_payload(self, message: NumberMessage) -> NumberEcho:
        return NumberEcho(payload=message.payload)

    @ws_handler(summary="Echo patterns only Python's re reads")
    async def handle_python_re(self, message: PythonReMessage) -> PythonReEcho:
        return PythonReEcho(payload=message.payload)

    @ws_handler(summary="Echo a field read under its alias")
    async def handle_alias(self, message: AliasMessage) -> AliasEcho:
        return AliasEcho(payload=message.payload)

    @ws_handler(summary="Echo what real apps write")
    async def handle_common(self, message: CommonMessage) -> CommonEcho:
        return CommonEcho(payload=message.payload)


app = FastAPI()
app.router.add_websocket_route("/ws/conformance", ConformanceConsumer.as_asgi())


@app.get("/asyncapi.json")
async def asyncapi_json(request: Request) -> JSONResponse:
    """The AsyncAPI 3.0 document chanx emits for this app."""
    return JSONResponse(generate_asyncapi_schema(request, app))


def emitted_document() -> str:
    """The document as checked in: pretty-printed in chanx's key order, for a
    request to localhost:8766 (the host is the only part taken from the request)."""
    request = Request(
        {
            "type": "http",
            "scheme": "http",
            "method": "GET",
            "path": "/asyncapi.json",
            "query_string": b"",
            "server": ("localhost", 8766),
            "headers": [(b"host", b"localhost:8766")],
        }
    )
    return json.dumps(generate_asyncapi_schema(request, app), indent=2) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["--asyncapi"]:
        # python app.py --asyncapi > asyncapi.json
        sys.stdout.write(emitted_document())
    else:
        port = int(sys.argv[1]) if len(sys.argv) > 1 else 8766
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
