//! The Rust twin of `app.py`: the consumer of `/ws/conformance`, on the code
//! generated from `asyncapi.json` (the document chanx emits for `app.py`) by
//! this crate's build script.
//!
//! Every handler answers as its Python counterpart does: `ping` → `pong`,
//! and every other message → its `<action>_echo` message carrying the
//! received payload unchanged. `tests/differential.rs` sends the same frames
//! to both servers and compares the answers.

use chanx_runtime::HandlerError;

pub mod topics;

/// The generated API: `types` and `channels::conformance`.
pub mod api {
    chanx_runtime::include_api!("asyncapi");
}

use api::channels::conformance::{Consumer, Ctx};
use api::types::*;

/// The conformance consumer: echoes every validated payload.
pub struct Conformance;

impl Consumer for Conformance {
    type Event = ();

    async fn handle_ping(&self, _: &mut Ctx, _: PingMessage) -> Result<PongMessage, HandlerError> {
        Ok(PongMessage::default())
    }

    async fn handle_scalars(
        &self,
        _: &mut Ctx,
        message: ScalarsMessage,
    ) -> Result<ScalarsEcho, HandlerError> {
        Ok(ScalarsEcho::new(message.payload))
    }

    async fn handle_constraints(
        &self,
        _: &mut Ctx,
        message: ConstraintsMessage,
    ) -> Result<ConstraintsEcho, HandlerError> {
        Ok(ConstraintsEcho::new(message.payload))
    }

    async fn handle_collections(
        &self,
        _: &mut Ctx,
        message: CollectionsMessage,
    ) -> Result<CollectionsEcho, HandlerError> {
        Ok(CollectionsEcho::new(message.payload))
    }

    async fn handle_nested(
        &self,
        _: &mut Ctx,
        message: NestedMessage,
    ) -> Result<NestedEcho, HandlerError> {
        Ok(NestedEcho::new(message.payload))
    }

    async fn handle_unions(
        &self,
        _: &mut Ctx,
        message: UnionsMessage,
    ) -> Result<UnionsEcho, HandlerError> {
        Ok(UnionsEcho::new(message.payload))
    }

    async fn handle_tagged(
        &self,
        _: &mut Ctx,
        message: TaggedMessage,
    ) -> Result<TaggedEcho, HandlerError> {
        Ok(TaggedEcho::new(message.payload))
    }

    async fn handle_choices(
        &self,
        _: &mut Ctx,
        message: ChoicesMessage,
    ) -> Result<ChoicesEcho, HandlerError> {
        Ok(ChoicesEcho::new(message.payload))
    }

    async fn handle_formats(
        &self,
        _: &mut Ctx,
        message: FormatsMessage,
    ) -> Result<FormatsEcho, HandlerError> {
        Ok(FormatsEcho::new(message.payload))
    }

    async fn handle_strict_extra(
        &self,
        _: &mut Ctx,
        message: StrictExtraMessage,
    ) -> Result<StrictExtraEcho, HandlerError> {
        Ok(StrictExtraEcho::new(message.payload))
    }

    async fn handle_defaults(
        &self,
        _: &mut Ctx,
        message: DefaultsMessage,
    ) -> Result<DefaultsEcho, HandlerError> {
        Ok(DefaultsEcho::new(message.payload.unwrap_or_default()))
    }

    async fn handle_recursive(
        &self,
        _: &mut Ctx,
        message: RecursiveMessage,
    ) -> Result<RecursiveEcho, HandlerError> {
        Ok(RecursiveEcho::new(message.payload))
    }

    async fn handle_typed(
        &self,
        _: &mut Ctx,
        message: TypedMessage,
    ) -> Result<TypedEcho, HandlerError> {
        Ok(TypedEcho::new(message.payload))
    }

    async fn handle_text_payload(
        &self,
        _: &mut Ctx,
        message: TextMessage,
    ) -> Result<TextEcho, HandlerError> {
        Ok(TextEcho::new(message.payload))
    }

    async fn handle_list_payload(
        &self,
        _: &mut Ctx,
        message: ListMessage,
    ) -> Result<ListEcho, HandlerError> {
        Ok(ListEcho::new(message.payload))
    }

    async fn handle_either_payload(
        &self,
        _: &mut Ctx,
        message: EitherMessage,
    ) -> Result<EitherEcho, HandlerError> {
        Ok(EitherEcho::new(match message.payload {
            EitherMessagePayload::Branch(branch) => EitherEchoPayload::Branch(branch),
            EitherMessagePayload::Leaf(leaf) => EitherEchoPayload::Leaf(leaf),
        }))
    }

    async fn handle_maybe_map_payload(
        &self,
        _: &mut Ctx,
        message: MaybeMapMessage,
    ) -> Result<MaybeMapEcho, HandlerError> {
        Ok(MaybeMapEcho {
            payload: message.payload,
            ..MaybeMapEcho::default()
        })
    }

    async fn handle_number_payload(
        &self,
        _: &mut Ctx,
        message: NumberMessage,
    ) -> Result<NumberEcho, HandlerError> {
        Ok(NumberEcho {
            payload: message.payload,
            ..NumberEcho::default()
        })
    }

    async fn handle_python_re(
        &self,
        _: &mut Ctx,
        message: PythonReMessage,
    ) -> Result<PythonReEcho, HandlerError> {
        Ok(PythonReEcho::new(message.payload))
    }

    async fn handle_alias(
        &self,
        _: &mut Ctx,
        message: AliasMessage,
    ) -> Result<AliasEcho, HandlerError> {
        Ok(AliasEcho::new(message.payload))
    }

    async fn handle_common(
        &self,
        _: &mut Ctx,
        message: CommonMessage,
    ) -> Result<CommonEcho, HandlerError> {
        Ok(CommonEcho::new(message.payload))
    }
}
