/**
 * Types that let both sides share one description of an application's
 * events, checked at compile time (they cost nothing at run time): an event
 * map names each event and the type of its `data`; an entry written
 * `WithReply<Data, Result>` is a request whose reply carries a `Result`.
 *
 * @example
 * type ClientToServer = { chat: { room: string; text: string }; 'cart-total': WithReply<{ cart: string }, number> };
 * type ServerToClient = { chat: { room: string; from: string; text: string }; locate: WithReply<undefined, { city: string }> };
 * // server: new WebSocketServerHelper<ClientToServer, ServerToClient>(...); client: new SealedClient<ServerToClient, ClientToServer>(...)
 *
 * The types are a promise the application makes to itself: a client can
 * still send anything, so a server checks the data it is handed.
 */

/** A map from event names to the type of their `data`. */
export type EventMap = Record<string, unknown>;

/** The map of a client that declares none: any event, any data. */
export type AnyEventMap = Record<string, any>;

declare const REPLY_SIGNATURE: unique symbol;

/** In an event map: the event is a request with `data` of type `Data`, answered with a result of type `Result`. */
export interface WithReply<Data, Result> {
  readonly [REPLY_SIGNATURE]: { readonly data: Data; readonly result: Result };
}

/** The type of an event's `data`, for a plain event and a request alike. */
export type PayloadOf<Entry> = Entry extends WithReply<infer Data, unknown> ? Data : Entry;

/** The type of the result a request's reply carries; `unknown` for an event that is not declared a request. */
export type ResultOf<Entry> = Entry extends WithReply<unknown, infer Result> ? Result : unknown;

/** The names of a map's events, as strings. */
export type EventName<Map extends EventMap> = keyof Map & string;

/** The `data` argument of a send: optional when the event's data may be `undefined`, required otherwise. */
export type PayloadArgument<Payload> = undefined extends Payload ? [data?: Payload] : [data: Payload];
