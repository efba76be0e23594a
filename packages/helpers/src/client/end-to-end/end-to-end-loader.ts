import { ServerEvent } from '../../protocol/event-names.ts';
import type { RoomDevice } from '../../protocol/end-to-end.ts';
import { ClientLifecycleEvent } from '../client-lifecycle-event.ts';
import { ClientFailureCode } from '../sealed-client-error.ts';
import type { EndToEndRooms } from './end-to-end-rooms.ts';
import type { endToEndRoomsOf } from './sdk-end-to-end.ts';

/** The events of end-to-end rooms the SDK takes for itself. */
const END_TO_END_EVENTS: ReadonlySet<string> = new Set([ServerEvent.MLS_WAITING, ServerEvent.MLS_COMMIT, ServerEvent.MLS_WELCOME, ServerEvent.MLS_MESSAGE]);

type EndToEndParams = Parameters<typeof endToEndRoomsOf>[0];

/**
 * The SDK's end-to-end rooms, loaded on first use: the MLS library is only
 * fetched (a separate chunk of the browser bundle) once the server says a
 * room the client joined is end-to-end. Until then this holds nothing;
 * calls made while it loads run afterwards, in order.
 */
export class EndToEndLoader {
  #rooms: EndToEndRooms | undefined;
  #loading: Promise<EndToEndRooms | undefined> | undefined;
  #closed = false;

  constructor(private readonly params: EndToEndParams) {}

  /** A `joined` answer: the member side loads when it names end-to-end rooms (`endToEnd`), then sets each up. */
  joined(answer: unknown): void {
    const rooms = stringList((answer as { endToEnd?: unknown } | undefined)?.endToEnd);
    if (rooms.length > 0) this.#inBackground((loaded) => loaded.joined(rooms));
  }

  /** A `left` answer: the rooms left are dropped. */
  left(answer: unknown): void {
    const rooms = stringList((answer as { rooms?: unknown } | undefined)?.rooms);
    if (this.#loading) this.#inBackground((loaded) => loaded.left(rooms));
  }

  connectionOpened(): void {
    if (this.#loading) this.#inBackground((loaded) => loaded.connectionOpened());
  }

  /** Takes the events of end-to-end rooms (dropped while none was joined); false for any other. */
  accept(event: string, data: unknown): boolean {
    if (!END_TO_END_EVENTS.has(event)) return false;
    if (this.#loading) this.#inBackground((loaded) => loaded.accept(event, data));
    return true;
  }

  async send(room: string, event: string, data: unknown): Promise<void> {
    await this.#then((loaded) => loaded.send(room, event, data));
  }

  members(room: string): RoomDevice[] {
    return this.#rooms?.members(room) ?? [];
  }

  close(): void {
    this.#closed = true;
    this.#rooms?.close();
  }

  /** Runs `step` once the member side is loaded (in call order); nothing after `close`. A load that failed is tried again by the next call. */
  #then<T>(step: (rooms: EndToEndRooms) => T): Promise<T | undefined> {
    this.#loading ??= import('./sdk-end-to-end.ts').then(
      ({ endToEndRoomsOf }) => {
        this.#rooms = endToEndRoomsOf(this.params);
        if (this.#closed) this.#rooms?.close();
        return this.#rooms;
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading.then((loaded) => (loaded && !this.#closed ? step(loaded) : undefined));
  }

  /** Runs `step` as `#then` does, for a caller that does not wait: a failure (the member side that would not load, say) is told as `sealed:error`. */
  #inBackground(step: (rooms: EndToEndRooms) => unknown): void {
    this.#then(step).catch((error: unknown) => {
      const message = `End-to-end rooms failed: ${error instanceof Error ? error.message : String(error)}`;
      this.params.emit(ClientLifecycleEvent.ERROR, { code: ClientFailureCode.E2E_FAILED, message });
    });
  }
}

/** The strings of a list in a server payload; nothing for anything else. */
function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
