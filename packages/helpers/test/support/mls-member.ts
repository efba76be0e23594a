import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeMlsMessage,
  emptyPskIndex,
  encodeMlsMessage,
  joinGroup,
  processPrivateMessage,
  processPublicMessage,
  type ClientState,
  type CreateCommitResult,
  type Proposal,
} from 'ts-mls';
import type { RawKeyPair } from '../../src/index.ts';
import { ClientEvent, ServerEvent } from '../../src/protocol/event-names.ts';
import type { SealedClient } from '../../src/client/index.ts';
import { fromBase64, toBase64 } from '../../src/crypto/bytes.ts';
import { mlsCipherSuite } from '../../src/crypto/mls-cipher-suite.ts';
import { DeviceKeyPackages, encodeKeyPackage, type HeldKeyPackage } from '../../src/client/end-to-end/device-key-packages.ts';
import { nodeCrypto, sdkClient } from './secure-test-server.ts';

const utf8 = new TextEncoder();
/** How long a test waits for an event of the end-to-end protocol. */
const EVENT_WAIT_MS = 5_000;
const fromUtf8 = new TextDecoder();


/** The authenticated data a room message is bound to: its room and event. */
export function messageContext(room: string, event: string): Uint8Array {
  return utf8.encode(JSON.stringify({ room, event }));
}

/**
 * A device in end-to-end rooms for tests: an encrypted SDK client whose
 * identity key is also its MLS signature key, and its MLS group state, made
 * with ts-mls as a member's code would.
 */
export class MlsMember {
  state: ClientState | undefined;
  readonly #held: HeldKeyPackage[] = [];

  private constructor(
    readonly user: string,
    readonly client: SealedClient,
    readonly identity: RawKeyPair,
  ) {}

  static async connect(url: string, user: string, identity: RawKeyPair = nodeCrypto.ed25519KeyPair()): Promise<MlsMember> {
    // This member's MLS is the test's own: the SDK leaves end-to-end rooms to it.
    const client = sdkClient(url, user, { identity, endToEnd: { enabled: false } });
    await client.connect();
    return new MlsMember(user, client, identity);
  }

  /** This device's id in end-to-end rooms: its identity public key, base64. */
  get device(): string {
    return toBase64(this.identity.publicKey);
  }

  get epoch(): number {
    return Number(this.state?.groupContext.epoch ?? 0);
  }

  /** Makes a KeyPackage bound to this device (its credential names `user`, its leaf key is the device key). */
  async keyPackage(user = this.user, identity = this.identity): Promise<HeldKeyPackage> {
    const [made] = await new DeviceKeyPackages(() => identity).make(user, 1);
    this.#held.push(made!);
    return made!;
  }

  /** Publishes `count` fresh KeyPackages. */
  async publish(count = 2): Promise<unknown> {
    const packages = [];
    for (let i = 0; i < count; i += 1) packages.push(encodeKeyPackage(await this.keyPackage()));
    return this.client.request(ClientEvent.MLS_PUBLISH, { keyPackages: packages });
  }

  /** Makes a group of one for `room` (sent to nobody: the first commit founds it at the server). */
  async found(room: string): Promise<void> {
    const own = await this.keyPackage();
    this.state = await createGroup(utf8.encode(`${room}/${toBase64(nodeCrypto.randomBytes(8))}`), own.publicPackage, own.privatePackage, [], await mlsCipherSuite());
  }

  /** A commit of `proposals` at the current epoch, not yet applied: the state it leads to is in the result. */
  async commitOf(proposals: Proposal[]): Promise<CreateCommitResult> {
    return createCommit({ state: this.state!, cipherSuite: await mlsCipherSuite() }, { wireAsPublicMessage: true, ratchetTreeExtension: true, extraProposals: proposals });
  }

  /** Sends a commit to the server; applies it once accepted. */
  async sendCommit(room: string, result: CreateCommitResult): Promise<{ epoch: number }> {
    const answer = (await this.client.request(ClientEvent.MLS_COMMIT, {
      room,
      epoch: this.epoch,
      commit: toBase64(encodeMlsMessage(result.commit)),
      ...(result.welcome ? { welcome: toBase64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome })) } : {}),
    })) as { epoch: number };
    this.state = result.newState;
    return answer;
  }

  /** Claims a KeyPackage of each device and commits their adds. */
  async add(room: string, devices: readonly string[]): Promise<{ epoch: number }> {
    const proposals: Proposal[] = [];
    for (const device of devices) {
      const { keyPackage } = (await this.client.request(ClientEvent.MLS_CLAIM, { room, device })) as { keyPackage: string };
      const decoded = decodeMlsMessage(fromBase64(keyPackage)!, 0)![0];
      if (decoded.wireformat !== 'mls_key_package') throw new Error('not a KeyPackage');
      proposals.push({ proposalType: 'add', add: { keyPackage: decoded.keyPackage } });
    }
    return this.sendCommit(room, await this.commitOf(proposals));
  }

  /** Commits the removal of the leaves holding `devices`. */
  async remove(room: string, devices: readonly string[]): Promise<{ epoch: number }> {
    const proposals: Proposal[] = devices.map((device) => ({ proposalType: 'remove', remove: { removed: this.leafOf(device) } }));
    return this.sendCommit(room, await this.commitOf(proposals));
  }

  /** The leaf index of a device in this member's view of the group. */
  leafOf(device: string): number {
    const tree = this.state!.ratchetTree;
    for (let leaf = 0; 2 * leaf < tree.length; leaf += 1) {
      const node = tree[2 * leaf];
      if (node?.nodeType === 'leaf' && toBase64(node.leaf.signaturePublicKey) === device) return leaf;
    }
    throw new Error(`device not in the group: ${device}`);
  }

  /** Joins the group from a Welcome (base64 MLSMessage), with whichever of its KeyPackages it was made for. */
  async join(welcome: string): Promise<void> {
    const decoded = decodeMlsMessage(fromBase64(welcome)!, 0)![0];
    if (decoded.wireformat !== 'mls_welcome') throw new Error('not a Welcome');
    const impl = await mlsCipherSuite();
    for (const held of this.#held) {
      try {
        this.state = await joinGroup(decoded.welcome, held.publicPackage, held.privatePackage, emptyPskIndex, impl);
        return;
      } catch {
        // Not the KeyPackage this Welcome was made for: try the next.
      }
    }
    throw new Error('no KeyPackage of this device opens the Welcome');
  }

  /** Applies another member's commit (base64 MLSMessage). */
  async process(commit: string): Promise<void> {
    const decoded = decodeMlsMessage(fromBase64(commit)!, 0)![0];
    if (decoded.wireformat !== 'mls_public_message') throw new Error('not a PublicMessage');
    this.state = (await processPublicMessage(this.state!, decoded.publicMessage, emptyPskIndex, await mlsCipherSuite())).newState;
  }

  /** Encrypts `text` for the room's group, bound to room and event; resolves with the base64 message. */
  async encrypt(room: string, event: string, text: string): Promise<string> {
    const made = await createApplicationMessage(this.state!, utf8.encode(text), await mlsCipherSuite(), messageContext(room, event));
    this.state = made.newState;
    return toBase64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: made.privateMessage }));
  }

  /** Encrypts and sends through the server. */
  async send(room: string, event: string, text: string): Promise<string> {
    const message = await this.encrypt(room, event, text);
    await this.client.request(ClientEvent.MLS_SEND, { room, event, message });
    return message;
  }

  /** Decrypts a relayed message, checking that it is bound to `room` and `event`. */
  async decrypt(room: string, event: string, message: string): Promise<string> {
    const decoded = decodeMlsMessage(fromBase64(message)!, 0)![0];
    if (decoded.wireformat !== 'mls_private_message') throw new Error('not a PrivateMessage');
    const expected = toBase64(messageContext(room, event));
    if (toBase64(decoded.privateMessage.authenticatedData) !== expected) throw new Error('bound to another room or event');
    const result = await processPrivateMessage(this.state!, decoded.privateMessage, emptyPskIndex, await mlsCipherSuite());
    if (result.kind !== 'applicationMessage') throw new Error('not an application message');
    this.state = result.newState;
    return fromUtf8.decode(result.message);
  }

  close(): void {
    this.client.close();
  }
}

/** The next `event` the client hears that `matches`. */
export function nextEvent<T>(client: SealedClient, event: string, matches: (data: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`No ${event} within ${EVENT_WAIT_MS} ms`));
    }, EVENT_WAIT_MS);
    const stop = client.on(event as never, ((data: T) => {
      if (!matches(data)) return;
      clearTimeout(timer);
      stop();
      resolve(data);
    }) as never);
  });
}

/** Where {@link formGroup} may wait for something outside the devices (a cluster's subscriptions). */
export type FormingStage = 'founded' | 'joined';

/**
 * The founder joins the room and founds its group; the joiners publish,
 * join the room and are added in one commit (epoch 1), then join from
 * their Welcomes. `settle` runs once the group is founded and once the
 * joiners are in the room.
 */
export async function formGroup(
  room: string,
  founder: MlsMember,
  joiners: readonly MlsMember[],
  settle: (stage: FormingStage) => Promise<void> = async () => undefined,
): Promise<void> {
  for (const device of joiners) await device.publish();
  await founder.client.join([room]);
  await founder.found(room);
  await settle('founded');
  const last = joiners.at(-1)!;
  const waiting = nextEvent<{ joined: Array<{ device: string }> }>(founder.client, ServerEvent.MLS_WAITING, ({ joined }) => joined.some((d) => d.device === last.device));
  const welcomes = joiners.map((device) => nextEvent<{ welcome: string }>(device.client, ServerEvent.MLS_WELCOME));
  for (const device of joiners) await device.client.join([room]);
  await settle('joined');
  await waiting;
  const added = await founder.add(
    room,
    joiners.map((device) => device.device),
  );
  if (added.epoch !== 1) throw new Error(`The adds made epoch ${added.epoch}, not 1`);
  for (const [index, device] of joiners.entries()) await device.join((await welcomes[index]!).welcome);
}

export { encodeKeyPackage };
