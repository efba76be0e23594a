/** One connection in a room's presence: the client and its user. */
export interface PresenceMember {
  readonly clientId: string;
  readonly userId: string;
}

/** What `sealed:presence` tells a room's members: who came and who went. */
export interface PresenceChange {
  readonly room: string;
  readonly joined: readonly PresenceMember[];
  readonly left: readonly PresenceMember[];
}
