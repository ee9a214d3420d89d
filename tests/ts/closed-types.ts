// Generated interfaces are closed for code that builds messages: a schema
// that leaves `additionalProperties` unset (or `false`) gives an interface
// with exactly its declared properties, so a misspelt key in an object
// literal does not compile (docs/generated-typescript.md, "Unknown
// properties"). Only type-checked (`cargo test -p chanx-codegen --test
// ts_typecheck`), against the client that test generates from specs/chat.yaml.

import {
  ChatClient,
  ChatMessage,
  ChatPayload,
  NotificationPayload,
  PongMessage,
} from "./generated/spec_chat";

export function buildsMessages(client: ChatClient): void {
  // What the schema declares compiles.
  client.sendChat({ message: "hi" });
  const payload: ChatPayload = { message: "hi" };
  client.sendChat(payload);
  const chat: ChatMessage = { action: "chat", payload: { message: "hi" } };
  client.send(chat);
  client.send({ action: "ping", payload: null });
  const notice: NotificationPayload = { message: "restart", level: "warning" };

  // @ts-expect-error: `levle` is not a property of ChatPayload
  client.sendChat({ message: "hi", levle: "x" });
  // @ts-expect-error: `mesage` is not a property of ChatPayload (and `message` is missing)
  client.sendChat({ mesage: "hi" });
  // @ts-expect-error: `levle` is not a property of ChatPayload
  const misspelt: ChatPayload = { message: "hi", levle: "x" };
  client.sendChat(misspelt);
  // @ts-expect-error: NotificationPayload has `level`, not `levle`
  const wrongNotice: NotificationPayload = { message: "restart", levle: "warning" };
  // @ts-expect-error: a payload literal inside a message literal is checked too
  client.send({ action: "chat", payload: { message: "hi", extra: 1 } });
  // @ts-expect-error: `pyaload` is not a property of any message the client sends
  client.send({ action: "ping", pyaload: null });
  // @ts-expect-error: `levle` is not a property of ChatMessage
  const wrongChat: ChatMessage = { action: "chat", payload: { message: "hi" }, levle: "x" };

  // Excess-property checks apply to object literals only: a value that has
  // the declared properties and more (chanx's `ref`, say) is accepted.
  const withRef = { action: "ping" as const, payload: null, ref: "r-1" };
  client.send(withRef);
  void [notice, wrongNotice, wrongChat];
}

export function readsMessages(client: ChatClient): void {
  // Handlers get every declared property, typed.
  client.on("notification", (message) => {
    const text: string = message.payload.message;
    const level: "info" | "warning" | "error" | undefined = message.payload.level;
    void [text, level];
  });
  client.on("chat_notification", (message) => {
    const text: string = message.payload.message;
    void text;
  });
  client.on("pong", (message: PongMessage) => {
    const payload: null | undefined = message.payload;
    void payload;
  });
  // @ts-expect-error: keys a received frame has beyond the schema are not typed
  client.on("chat_notification", (message) => message.payload.levle);
}
