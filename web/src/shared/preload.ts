// Calls made before the code that needs their answers has arrived. A page's code is a chunk of its
// own, which downloads beside the app's script; without this, its calls would go out only once the
// chunk had run, a round trip later on a slow network. preload (api.ts) sends a call the page is
// about to make; when the page then makes exactly that call (same method, same request), the
// interceptor below answers it with the one already under way instead of sending it again. Each
// preloaded answer is used once, and only for a little while: a reload asks the server anew.
import { create, toBinary, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { DescMethodUnary } from "@bufbuild/protobuf";
import { base64Encode } from "@bufbuild/protobuf/wire";
import {
  Code,
  ConnectError,
  createContextKey,
  createContextValues,
  type ContextValues,
  type Interceptor,
  type UnaryResponse,
} from "@connectrpc/connect";

/** How long a preloaded answer waits for its page. */
const KEEP_MS = 15_000;

interface Waiting {
  until: number;
  response: Promise<UnaryResponse>;
}

const waiting = new Map<string, Waiting>();

/** Marks the preloading call itself, which must go to the server rather than wait for itself. */
const preloading = createContextKey(false, { description: "preloading" });

function keyOf(method: DescMethodUnary, message: MessageShape<DescMessage>): string {
  return method.parent.typeName + "/" + method.name + "?" + base64Encode(toBinary(method.input, message), "std_raw");
}

/** preloaded answers a call from a preloaded one when there is one, and sends it otherwise. */
export const preloaded: Interceptor = (next) => async (req) => {
  if (!req.stream && !req.contextValues.get(preloading)) {
    const key = keyOf(req.method, req.message);
    const w = waiting.get(key);
    if (w) {
      waiting.delete(key);
      if (Date.now() < w.until) return w.response;
    }
  }
  return next(req);
};

/**
 * remember keeps an answer (or its failure) to method with input for the call that will ask for it,
 * and returns the answer's message, for preloads that need it (the results' edition id). A call
 * already waiting is kept rather than replaced, so preloading twice sends once.
 */
export function remember<I extends DescMessage, O extends DescMessage>(
  method: DescMethodUnary<I, O>,
  input: MessageInitShape<I>,
  send: (values: ContextValues) => Promise<UnaryResponse<I, O>>,
): Promise<MessageShape<O>> {
  const key = keyOf(method as DescMethodUnary, create(method.input, input) as MessageShape<DescMessage>);
  let w = waiting.get(key);
  if (!w || Date.now() >= w.until) {
    const response = send(createContextValues().set(preloading, true)) as unknown as Promise<UnaryResponse>;
    response.catch(() => {}); // the page that asks gets the failure; nobody else must see it as unhandled
    w = { until: Date.now() + KEEP_MS, response };
    waiting.set(key, w);
  }
  const message = w.response.then((r) => r.message as MessageShape<O>);
  message.catch(() => {});
  return message;
}

/** answered is an answer the server gave earlier (in the page's HTML), as a call would have got it. */
export function answered<I extends DescMessage, O extends DescMessage>(
  method: DescMethodUnary<I, O>,
  message: MessageShape<O>,
): Promise<UnaryResponse<I, O>> {
  return Promise.resolve({
    stream: false,
    service: method.parent,
    method,
    header: new Headers(),
    trailer: new Headers(),
    message,
  } as UnaryResponse<I, O>);
}

/** unauthenticated is the answer for a call whose caller the server's HTML said is signed out. */
export function unauthenticated<I extends DescMessage, O extends DescMessage>(): Promise<UnaryResponse<I, O>> {
  return Promise.reject(new ConnectError("not signed in", Code.Unauthenticated));
}

/** waitingCalls lists the preloaded calls nobody has asked for yet, for tests. */
export function waitingCalls(): string[] {
  return [...waiting.keys()].map((k) => k.split("?")[0]);
}

/** forgetAll drops every preloaded answer, for tests. */
export function forgetAll(): void {
  waiting.clear();
}
