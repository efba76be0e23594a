import { toBase64 } from '../../crypto/bytes.ts';
import type { CryptoProvider, RawKeyPair } from '../../crypto/crypto-provider.ts';
import { withFingerprint } from '../../crypto/identity-fingerprint.ts';
import { ClientLifecycleEvent } from '../client-lifecycle-event.ts';
import { DeviceKeyPackages } from './device-key-packages.ts';
import { END_TO_END_DEFAULTS } from './end-to-end-defaults.ts';
import { EndToEndRooms } from './end-to-end-rooms.ts';
import type { GroupStateStore } from './kept-group-states.ts';

/**
 * The SDK's end-to-end rooms, wired to the client: decrypted messages go to
 * the application's listeners (as their event, and as `sealed:room-message`
 * with the sender), group changes as `sealed:room-members`, problems as
 * `sealed:error`.
 */
export function endToEndRoomsOf(params: {
  rotationIntervalMs: number | undefined;
  stateStore: GroupStateStore | undefined;
  crypto: CryptoProvider;
  identity: () => RawKeyPair;
  userId: () => string | undefined;
  request: (event: string, data: unknown) => Promise<unknown>;
  emit: (event: string, data: unknown) => void;
}): EndToEndRooms {
  const { crypto, emit } = params;
  return new EndToEndRooms({
    keyPackages: new DeviceKeyPackages(params.identity),
    device: () => toBase64(params.identity().publicKey),
    userId: params.userId,
    request: params.request,
    randomBytes: (length) => crypto.randomBytes(length),
    rotationIntervalMs: params.rotationIntervalMs ?? END_TO_END_DEFAULTS.rotationIntervalMs,
    stateStore: params.stateStore,
    deliver: (message) => {
      emit(message.event, message.data);
      emit(ClientLifecycleEvent.ROOM_MESSAGE, { ...message, sender: withFingerprint(crypto, message.sender) });
    },
    membersChanged: (change) => emit(ClientLifecycleEvent.ROOM_MEMBERS, { ...change, members: change.members.map((member) => withFingerprint(crypto, member)) }),
    report: (code, message) => emit(ClientLifecycleEvent.ERROR, { code, message }),
  });
}
