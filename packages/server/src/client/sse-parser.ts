/**
 * One server-sent event as read from the wire.
 *
 * @example
 * ```ts
 * const event: ServerSentEvent = { id: "7", event: "message", data: '{"type":"task:start"}' };
 * ```
 */
export interface ServerSentEvent {
  readonly id: string | undefined;
  /** `"message"` unless the server named it. */
  readonly event: string;
  readonly data: string;
}

/**
 * Reads a `text/event-stream` body into events, per the HTML standard's rules: `data` lines
 * joined by newlines, comments and unknown fields ignored, events without data dropped.
 *
 * @example
 * ```ts
 * for await (const event of parseServerSentEvents(response.body!)) console.log(event.id, event.data);
 * ```
 */
export async function* parseServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = "";
  let data: string[] = [];
  let id: string | undefined;
  let event = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1) {
        // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
        if (buffer[newline] === "\r" && newline === buffer.length - 1) break;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
        if (line === "") {
          if (data.length > 0) yield { id, event: event || "message", data: data.join("\n") };
          data = [];
          event = "";
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "data") data.push(value);
        else if (field === "event") event = value;
        else if (field === "id" && !value.includes("\0")) id = value;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
