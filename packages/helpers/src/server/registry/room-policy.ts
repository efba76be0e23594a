/** An application's synchronous yes-or-no about one room (`roomHistoryFn`, `roomPresenceFn`, `endToEndRoomFn`). */
export type RoomPolicyFn = (context: { room: string }) => boolean;

/** What a room policy says about `room`: only `true` is yes; no policy, or one that throws, says no. */
export function roomPolicySays(policy: RoomPolicyFn | undefined, room: string): boolean {
  if (!policy) return false;
  try {
    return policy({ room }) === true;
  } catch {
    return false;
  }
}
