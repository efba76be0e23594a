import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeGroupState,
  emptyPskIndex,
  encodeGroupState,
  encodeMlsMessage,
  joinGroup,
  processPublicMessage,
  type ClientState,
  type CreateCommitResult,
  type KeyPackage,
  type MLSMessage,
  type Proposal,
} from 'ts-mls';
import { unprotectPrivateMessage } from 'ts-mls/messageProtection.js';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { constantTimeEqual, fromBase64, toBase64 } from '../../crypto/bytes.ts';
import { mlsCipherSuite } from '../../crypto/mls-cipher-suite.ts';
import type { RoomDevice } from '../../protocol/end-to-end.ts';
import type { HeldKeyPackage } from './device-key-packages.ts';
import { decodeMessage } from './mls-wire.ts';

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Why a message of an end-to-end room could not be read; its code tells the application what happened. */
export class GroupMessageError extends Error {}

/** A commit made and sent, applied once the server accepts it. */
export interface PendingCommit {
  readonly commit: string;
  readonly welcome: string | undefined;
  readonly result: CreateCommitResult;
}

/** A room message as it was decrypted, with the group member that sent it. */
export interface OpenedMessage {
  readonly data: unknown;
  readonly sender: RoomDevice;
}

/** The authenticated data of a room message: the room and the event it was sent as, so it reads nowhere else. */
export function messageContext(room: string, event: string): Uint8Array {
  return utf8.encode(JSON.stringify({ room, event }));
}

function deviceOfLeaf(state: ClientState, leaf: number): RoomDevice | undefined {
  const node = state.ratchetTree[2 * leaf];
  if (node?.nodeType !== 'leaf' || node.leaf.credential.credentialType !== 'basic') return undefined;
  return { userId: fromUtf8.decode(node.leaf.credential.identity), device: toBase64(node.leaf.signaturePublicKey) };
}

/**
 * This device's state in one end-to-end room's MLS group (ts-mls): it
 * commits, processes other members' commits, and encrypts and decrypts the
 * room's messages, each bound to its room and event. The state is
 * immutable: every step makes the next one, and a commit is applied only
 * once the server accepted it.
 */
export class RoomGroup {
  private constructor(
    readonly room: string,
    private state: ClientState,
  ) {}

  /** A group of one, this device in leaf 0; the server learns of it with its first commit. */
  static async found(room: string, own: HeldKeyPackage, groupId: Uint8Array): Promise<RoomGroup> {
    return new RoomGroup(room, await createGroup(groupId, own.publicPackage, own.privatePackage, [], await mlsCipherSuite()));
  }

  /** Joins from a Welcome (base64 `MLSMessage`, the ratchet tree inside) with whichever of `held` it was made for. */
  static async join(room: string, welcome: string, held: readonly HeldKeyPackage[]): Promise<RoomGroup | undefined> {
    const decoded = decodeMessage(welcome);
    if (decoded?.wireformat !== 'mls_welcome') throw new GroupMessageError('Not a Welcome');
    const impl = await mlsCipherSuite();
    for (const candidate of held) {
      try {
        return new RoomGroup(room, await joinGroup(decoded.welcome, candidate.publicPackage, candidate.privatePackage, emptyPskIndex, impl));
      } catch {
        // Made for another of this device's KeyPackages, or for none: try the next.
      }
    }
    return undefined;
  }

  /** A group saved with {@link save}; `undefined` when the text is not one. */
  static restore(room: string, saved: string): RoomGroup | undefined {
    const bytes = fromBase64(saved);
    if (!bytes) return undefined;
    try {
      const decoded = decodeGroupState(bytes, 0);
      return decoded ? new RoomGroup(room, { ...decoded[0], clientConfig: defaultClientConfig }) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The group state as text, to keep across restarts (it holds this device's secrets of the group: keep it where its identity key is). */
  save(): string {
    return toBase64(encodeGroupState(this.state));
  }

  get epoch(): number {
    return Number(this.state.groupContext.epoch);
  }

  /** The MLS group id, base64 (what the server's `sealed:mls:room` names). */
  get groupId(): string {
    return toBase64(this.state.groupContext.groupId);
  }

  /** The group's members, leaf by leaf (blank leaves left out). */
  get members(): RoomDevice[] {
    const members: RoomDevice[] = [];
    for (let leaf = 0; 2 * leaf < this.state.ratchetTree.length; leaf += 1) {
      const device = deviceOfLeaf(this.state, leaf);
      if (device) members.push(device);
    }
    return members;
  }

  /** The leaf holding `device`, if it is in the group. */
  leafOf(device: string): number | undefined {
    for (let leaf = 0; 2 * leaf < this.state.ratchetTree.length; leaf += 1) {
      if (deviceOfLeaf(this.state, leaf)?.device === device) return leaf;
    }
    return undefined;
  }

  /** A commit adding `keyPackages` and removing `removeLeaves` (an empty one refreshes this device's keys), as a PublicMessage with its Welcome. */
  async commit(keyPackages: readonly KeyPackage[], removeLeaves: readonly number[]): Promise<PendingCommit> {
    const proposals: Proposal[] = [
      ...removeLeaves.map((removed): Proposal => ({ proposalType: 'remove', remove: { removed } })),
      ...keyPackages.map((keyPackage): Proposal => ({ proposalType: 'add', add: { keyPackage } })),
    ];
    const result = await createCommit({ state: this.state, cipherSuite: await mlsCipherSuite() }, { wireAsPublicMessage: true, ratchetTreeExtension: true, extraProposals: proposals });
    return {
      result,
      commit: toBase64(encodeMlsMessage(result.commit)),
      welcome: result.welcome ? toBase64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome })) : undefined,
    };
  }

  /** Applies this device's commit once the server accepted it. */
  adopt(pending: PendingCommit): void {
    this.state = pending.result.newState;
  }

  /** Applies another member's commit. */
  async process(commit: string): Promise<void> {
    const decoded = decodeMessage(commit);
    if (decoded?.wireformat !== 'mls_public_message') throw new GroupMessageError('A commit travels as a PublicMessage');
    this.state = (await processPublicMessage(this.state, decoded.publicMessage, emptyPskIndex, await mlsCipherSuite())).newState;
  }

  /** Whether this device is still in the group (a commit may have removed it). */
  get active(): boolean {
    return this.state.groupActiveState.kind === 'active';
  }

  /** Encrypts `data` (as JSON) for the group, bound to this room and `event`. */
  async encrypt(event: string, data: unknown): Promise<string> {
    const made = await createApplicationMessage(this.state, utf8.encode(JSON.stringify(data ?? null)), await mlsCipherSuite(), messageContext(this.room, event));
    this.state = made.newState;
    return toBase64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: made.privateMessage }));
  }

  /**
   * Decrypts a message of the group's current epoch (its base64 text, or
   * that text already decoded), checks it is bound to this room and
   * `event`, and names the member that signed it.
   *
   * @throws GroupMessageError when it is not such a message, was tampered with, or is bound elsewhere.
   */
  async decrypt(event: string, message: string | MLSMessage | undefined): Promise<OpenedMessage> {
    const decoded = typeof message === 'string' ? decodeMessage(message) : message;
    if (decoded?.wireformat !== 'mls_private_message') throw new GroupMessageError('Not an MLS application message');
    const { privateMessage } = decoded;
    if (!constantTimeEqual(privateMessage.authenticatedData, messageContext(this.room, event))) {
      throw new GroupMessageError('The message is bound to another room or event');
    }
    if (Number(privateMessage.epoch) !== this.epoch) throw new GroupMessageError(`The message is of epoch ${privateMessage.epoch}, the group is at ${this.epoch}`);
    const state = this.state;
    let opened;
    try {
      opened = await unprotectPrivateMessage(
        state.keySchedule.senderDataSecret,
        privateMessage,
        state.secretTree,
        state.ratchetTree,
        state.groupContext,
        state.clientConfig.keyRetentionConfig,
        await mlsCipherSuite(),
      );
    } catch (error) {
      throw new GroupMessageError(`The message did not decrypt: ${error instanceof Error ? error.message : String(error)}`);
    }
    const { content } = opened.content;
    if (content.contentType !== 'application' || content.sender.senderType !== 'member') throw new GroupMessageError('Not an application message of a member');
    const sender = deviceOfLeaf(state, content.sender.leafIndex);
    if (!sender) throw new GroupMessageError('The sender is not in the group');
    this.state = { ...state, secretTree: opened.tree };
    let data: unknown;
    try {
      data = JSON.parse(fromUtf8.decode(content.applicationData));
    } catch {
      throw new GroupMessageError('The message is not JSON in UTF-8');
    }
    return { data, sender };
  }
}
