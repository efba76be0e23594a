import type { PresenceChange } from '../protocol/presence.ts';
import type { RoomDevice } from '../protocol/end-to-end.ts';
import type { ConnectionInfo, RejoinResult } from './sealed-client-options.ts';
import type { BufferedEmitter } from './buffered-emitter.ts';
import { ClientFailureCode } from './sealed-client-error.ts';

/** Events the client itself emits about its connection (the `sealed:` prefix never collides with server events). */
export const ClientLifecycleEvent = {
  /** `ConnectionInfo` (`{ clientId, userId, level, suite, serverFingerprint, credentialsSealed }`): authenticated and, where asked, encrypted. */
  OPEN: 'sealed:open',
  /** `{ code, reason }`: the socket closed. */
  CLOSE: 'sealed:close',
  /**
   * `RejoinResult` (`{ rooms, denied, recovered, recoveredRooms }`): after a
   * reconnect, the client's rooms were joined again, and the messages missed
   * in rooms that keep history were delivered (once each, in order) before
   * this event. `recovered: false` means some could not be.
   */
  REJOINED: 'sealed:rejoined',
  /** `{ attempt, delayMs }`: a reconnect is scheduled. */
  RECONNECTING: 'sealed:reconnecting',
  /** `{ code, message }`: the client gave up on a connection for a security reason or a refusal. */
  FAILURE: 'sealed:failure',
  /**
   * `{ code, message, event? }`: something went wrong that does not end the
   * connection: a frame from the server that could not be read (it is
   * dropped), or a listener that threw (`event` names what it listened to).
   */
  ERROR: 'sealed:error',
  /** `{ room, event, sender: { userId, device, fingerprint }, data }`: a message of an end-to-end room, decrypted, with the member that signed it (also delivered as `event`). */
  ROOM_MESSAGE: 'sealed:room-message',
  /** `{ room, epoch, members, member }`: the devices in an end-to-end room's group changed; `member` says whether this device is in it (it can send). */
  ROOM_MEMBERS: 'sealed:room-members',
} as const;

export type ClientLifecycleEvent = (typeof ClientLifecycleEvent)[keyof typeof ClientLifecycleEvent];

/** What a client's lifecycle events and a server `error` carry, by event name. */
export interface ClientLifecycleEvents {
  'sealed:open': ConnectionInfo;
  'sealed:close': { code: number; reason: string };
  'sealed:rejoined': RejoinResult;
  'sealed:reconnecting': { attempt: number; delayMs: number };
  'sealed:failure': { code: string; message: string };
  'sealed:error': { code: string; message: string; event?: string };
  /** A server `error` event. */
  error: { code: string; message: string };
  /** Members came to or went from a room the client is in that tracks presence (not sent for the client's own join). */
  'sealed:presence': PresenceChange;
  'sealed:room-message': { room: string; event: string; sender: RoomDeviceInfo; data: unknown };
  'sealed:room-members': { room: string; epoch: number; members: RoomDeviceInfo[]; member: boolean };
}

/** A device in an end-to-end room's group: its user, its identity key (base64) and that key's fingerprint. */
export interface RoomDeviceInfo extends RoomDevice {
  fingerprint: string;
}

/** Tells the `sealed:error` listeners that a listener of `event` threw (`LISTENER_FAILED`); a throwing `sealed:error` listener is not reported again: that would loop. */
export function reportListenerFailure(emitter: BufferedEmitter, event: string, error: unknown): void {
  if (event === ClientLifecycleEvent.ERROR) return;
  const message = `A listener of "${event}" threw: ${error instanceof Error ? error.message : String(error)}`;
  emitter.emit(ClientLifecycleEvent.ERROR, { code: ClientFailureCode.LISTENER_FAILED, message, event });
}
