import { decodeMlsMessage, type KeyPackage, type MLSMessage } from 'ts-mls';
import { verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { MLS_CIPHER_SUITE, mlsCipherSuite } from '../../crypto/mls-cipher-suite.ts';

/**
 * What the Delivery Service reads of MLS messages, through `ts-mls` (RFC
 * 9420): the only file on the server that knows MLS's encoding. The server
 * is not a member of any group: it reads what MLS leaves in the clear
 * (KeyPackages, PublicMessage commits, the header of a PrivateMessage) and
 * never holds a group secret.
 */

/** A KeyPackage's binding: the user its credential names and the signature key of its leaf. */
export interface KeyPackageBinding {
  readonly identity: string;
  readonly signatureKey: Uint8Array;
}

/** What the server reads of a commit sent as a PublicMessage. */
export interface CommitView {
  readonly groupId: Uint8Array;
  readonly epoch: number;
  /** The committer's leaf. */
  readonly senderLeaf: number;
  /** The KeyPackages it adds, by value. */
  readonly adds: readonly KeyPackageBinding[];
  /** The leaves it removes. */
  readonly removes: readonly number[];
}

/** Why a message was refused; for the client, names nothing secret. */
export class MlsMessageError extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Uint8Array): MLSMessage {
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch {
    decoded = undefined;
  }
  if (!decoded || decoded[1] !== bytes.length) throw new MlsMessageError('Not an MLS message');
  return decoded[0];
}

function bindingOf(keyPackage: KeyPackage): KeyPackageBinding {
  const { credential, signaturePublicKey } = keyPackage.leafNode;
  if (credential.credentialType !== 'basic') throw new MlsMessageError('Only basic credentials are accepted');
  let identity: string;
  try {
    identity = utf8.decode(credential.identity);
  } catch {
    throw new MlsMessageError('A credential names its user in UTF-8');
  }
  return { identity, signatureKey: signaturePublicKey };
}

/** Reads and verifies a KeyPackage (an `MLSMessage` of wire format `mls_key_package`): the suite, its signature, its binding. */
export async function readKeyPackage(bytes: Uint8Array): Promise<KeyPackageBinding> {
  const message = decode(bytes);
  if (message.wireformat !== 'mls_key_package') throw new MlsMessageError('Not a KeyPackage');
  const { keyPackage } = message;
  const impl = await mlsCipherSuite();
  if (keyPackage.cipherSuite !== MLS_CIPHER_SUITE) throw new MlsMessageError(`Only ${MLS_CIPHER_SUITE} is accepted`);
  const verified = await verifyKeyPackage(keyPackage, impl.signature).catch(() => false);
  if (!verified) throw new MlsMessageError('The KeyPackage signature does not verify');
  return bindingOf(keyPackage);
}

/**
 * Reads a commit, which end-to-end rooms send as a PublicMessage so that
 * the server can check its adds and removes. Proposals are accepted by
 * value only, and only adds and removes: the server could not check what a
 * reference stands for.
 */
export function readCommit(bytes: Uint8Array): CommitView {
  const message = decode(bytes);
  if (message.wireformat !== 'mls_public_message') throw new MlsMessageError('A commit travels as a PublicMessage');
  const { content } = message.publicMessage;
  if (content.contentType !== 'commit') throw new MlsMessageError('Not a commit');
  if (content.sender.senderType !== 'member') throw new MlsMessageError('A commit comes from a member');
  const adds: KeyPackageBinding[] = [];
  const removes: number[] = [];
  for (const entry of content.commit.proposals) {
    if (entry.proposalOrRefType !== 'proposal') throw new MlsMessageError('Proposals are accepted by value only');
    const { proposal } = entry;
    if (proposal.proposalType === 'add') {
      if (proposal.add.keyPackage.cipherSuite !== MLS_CIPHER_SUITE) throw new MlsMessageError(`Only ${MLS_CIPHER_SUITE} is accepted`);
      adds.push(bindingOf(proposal.add.keyPackage));
    } else if (proposal.proposalType === 'remove') removes.push(proposal.remove.removed);
    else throw new MlsMessageError(`Proposal ${String(proposal.proposalType)} is not accepted`);
  }
  return { groupId: content.groupId, epoch: Number(content.epoch), senderLeaf: content.sender.leafIndex, adds, removes };
}

/** Checks that `bytes` is a Welcome. */
export function readWelcome(bytes: Uint8Array): void {
  if (decode(bytes).wireformat !== 'mls_welcome') throw new MlsMessageError('Not a Welcome');
}

/** What the server reads of an application message: the group and epoch in its clear header. */
export function readApplicationMessage(bytes: Uint8Array): { groupId: Uint8Array; epoch: number } {
  const message = decode(bytes);
  if (message.wireformat !== 'mls_private_message' || message.privateMessage.contentType !== 'application') {
    throw new MlsMessageError('An application message travels as a PrivateMessage');
  }
  return { groupId: message.privateMessage.groupId, epoch: Number(message.privateMessage.epoch) };
}
