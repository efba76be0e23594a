// The sample chat page: the Sealed client SDK in the browser, encrypted end to end with the server.
import {
  ClientFailureCode,
  ClientLifecycleEvent,
  ErrorCode,
  PortableCryptoProvider,
  SealedClient,
  SealedClientState,
  ServerEvent,
  fromBase64,
  toBase64,
} from '/sealed-client.js';

const PIN_PREFIX = 'sealed.pin.';
const IDENTITY_PREFIX = 'sealed.identity.';
const GROUP_STATE_PREFIX = 'sealed.group.';
const MS_PER_SECOND = 1000;
/** Longest chat message the server takes (MAX_CHAT_TEXT_LENGTH in chat-protocol.ts). */
const MAX_MESSAGE_LENGTH = 2000;
/** Error codes of the chat server itself (ChatErrorCode in chat-protocol.ts). */
const ChatErrorCode = {
  INVALID_CHAT: 'INVALID_CHAT',
  NOT_IN_ROOM: 'NOT_IN_ROOM',
  UNKNOWN_EVENT: 'UNKNOWN_EVENT',
};

const $ = (id) => document.getElementById(id);
const statusLine = $('status');
const alertBox = $('alert');
const signInForm = $('sign-in');
const roomsPanel = $('rooms-panel');
const joinForm = $('join');
const roomsList = $('rooms');
const composeForm = $('compose');
const messages = $('messages');

let client;
let currentRoom;
/** Who is in each room, from the server's presence: room -> (connection id -> user name). */
const roomMembers = new Map();
/** Rooms whose names start with this are end-to-end (SECRET_ROOM_PREFIX in chat-protocol.ts). */
const SECRET_ROOM_PREFIX = 'secret-';
/** The event secret rooms' messages travel as, encrypted by the browsers themselves. */
const SECRET_CHAT_EVENT = 'secret-chat';
/** The devices in each secret room's encrypted group, as this browser knows them: room -> { member, devices: device -> { userId, fingerprint } }. */
const secretGroups = new Map();

const isSecret = (room) => room?.startsWith(SECRET_ROOM_PREFIX) ?? false;

/** Server keys pinned in this browser, per server host. */
const browserPins = {
  get: (name) => localStorage.getItem(PIN_PREFIX + name) ?? undefined,
  set: (name, value) => localStorage.setItem(PIN_PREFIX + name, value),
};

/** This browser's identity key for a user name, kept so the server's pin of it stays valid. */
function identityFor(name) {
  const stored = localStorage.getItem(IDENTITY_PREFIX + name);
  if (stored) {
    const { secretKey, publicKey } = JSON.parse(stored);
    return { secretKey: fromBase64(secretKey), publicKey: fromBase64(publicKey) };
  }
  const identity = new PortableCryptoProvider().ed25519KeyPair();
  localStorage.setItem(
    IDENTITY_PREFIX + name,
    JSON.stringify({ secretKey: toBase64(identity.secretKey), publicKey: toBase64(identity.publicKey) }),
  );
  return identity;
}

/** Where this browser keeps, for a user name, its state in each secret room's group, beside its identity key: a reload reads on. */
function groupStatesFor(name) {
  const key = (room) => `${GROUP_STATE_PREFIX}${name}.${room}`;
  return {
    get: (room) => localStorage.getItem(key(room)) ?? undefined,
    set: (room, state) => localStorage.setItem(key(room), state),
    delete: (room) => localStorage.removeItem(key(room)),
  };
}

function setStatus(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', isError);
}

/** The small line under a message that names the code behind it, for whoever has to look into it. */
function detailsLine(details) {
  const small = document.createElement('small');
  small.className = 'details';
  small.textContent = details;
  return small;
}

/** Shows `explanation` (`{ text, details? }`) above the page; an empty text hides it. */
function showAlert({ text, details } = { text: '' }) {
  alertBox.replaceChildren(text);
  if (details) alertBox.append(detailsLine(details));
  alertBox.hidden = !text;
}

function addLine(parts, className, details) {
  const item = document.createElement('li');
  if (className) item.className = className;
  for (const [text, partClass] of parts) {
    const span = document.createElement('span');
    span.textContent = text;
    if (partClass) span.className = partClass;
    item.append(span);
  }
  if (details) item.append(detailsLine(details));
  messages.append(item);
  item.scrollIntoView({ block: 'end' });
}

function notice(text, details) {
  addLine([[text]], 'notice', details);
}

/** The details line of a code: the code, and the server's own words when the text does not say it all. */
function codeDetails(code, message) {
  return message ? `Code: ${code} (${message})` : `Code: ${code}`;
}

function showSecurity(info) {
  $('level').textContent = info ? info.level : '-';
  $('level').className = info ? info.level : '';
  $('fingerprint').firstElementChild.textContent = info?.serverFingerprint ?? '-';
  $('credentials').textContent = !info
    ? '-'
    : info.credentialsSealed
      ? 'encrypted, readable only by this server'
      : 'not encrypted: others on the network can read it';
}

function selectRoom(room) {
  currentRoom = room;
  $('target-room').textContent = room ? `${room}${isSecret(room) ? ' (end-to-end encrypted)' : ''}` : '-';
  $('members-room').textContent = room ?? '-';
  composeForm.hidden = !room;
  renderRooms(client?.rooms ?? []);
  renderMembers();
}

function renderRooms(rooms) {
  roomsList.replaceChildren(
    ...rooms.map((room) => {
      const item = document.createElement('li');
      const select = document.createElement('button');
      select.type = 'button';
      select.textContent = room;
      select.setAttribute('aria-pressed', String(room === currentRoom));
      if (isSecret(room)) {
        const lock = document.createElement('span');
        lock.className = secretGroups.get(room)?.member ? 'lock' : 'lock pending';
        lock.textContent = secretGroups.get(room)?.member ? 'end-to-end' : 'joining the group...';
        lock.title = secretGroups.get(room)?.member ? 'End-to-end encrypted: only the devices below can read this room' : 'Waiting to be added to the encrypted group';
        item.append(lock);
      }
      select.addEventListener('click', () => selectRoom(room));
      const leave = document.createElement('button');
      leave.type = 'button';
      leave.textContent = '×';
      leave.setAttribute('aria-label', `Leave ${room}`);
      leave.addEventListener('click', () => leaveRoom(room));
      item.prepend(select, leave);
      return item;
    }),
  );
}

/** Shows the people in the current room: each name once, however many tabs it has open; and, in a secret room, every device that can read it. */
function renderMembers() {
  const names = [...new Set(roomMembers.get(currentRoom)?.values() ?? [])].sort();
  $('members').textContent = names.join(', ') || '-';
  const group = secretGroups.get(currentRoom);
  const devices = $('devices');
  devices.hidden = !group;
  devices.replaceChildren(
    ...[...(group?.devices.values() ?? [])].map(({ userId, fingerprint }) => {
      const item = document.createElement('li');
      const code = document.createElement('code');
      code.textContent = fingerprint;
      item.append(`${userId} `, code);
      return item;
    }),
  );
}

/** The devices of a secret room's group changed: note a user's new or gone device (a device the server added under a name shows here), and redraw. */
function applyGroup({ room, members, member }) {
  const previous = secretGroups.get(room);
  const devices = new Map(members.map((device) => [device.device, device]));
  if (previous?.member && member) {
    const usersBefore = new Set([...previous.devices.values()].map(({ userId }) => userId));
    for (const [device, { userId, fingerprint }] of devices) {
      if (!previous.devices.has(device) && usersBefore.has(userId)) {
        notice(`${userId} has a new device in ${room}. If they did not add one, someone may be reading along.`, `Device key: ${fingerprint}`);
      }
    }
    for (const [device, { userId, fingerprint }] of previous.devices) {
      if (!devices.has(device)) notice(`A device of ${userId} left the encrypted group of ${room}.`, `Device key: ${fingerprint}`);
    }
  }
  if (member && !previous?.member) notice(`${room} is end-to-end encrypted: only the devices listed can read it, not the server.`);
  secretGroups.set(room, { member, devices });
  renderRooms(client?.rooms ?? []);
  if (room === currentRoom) renderMembers();
}

/** Replaces what is known of a room's members with the server's list. */
function setMembers(room, members) {
  roomMembers.set(room, new Map(members.map(({ clientId, userId }) => [clientId, userId])));
  if (room === currentRoom) renderMembers();
}

/** Applies a presence change of the server: who came and who went. */
function applyPresence({ room, joined, left }) {
  const members = roomMembers.get(room) ?? new Map();
  for (const { clientId, userId } of joined) members.set(clientId, userId);
  for (const { clientId } of left) members.delete(clientId);
  roomMembers.set(room, members);
  if (room === currentRoom) renderMembers();
}

async function leaveRoom(room) {
  const result = await client.leave([room]);
  roomMembers.delete(room);
  secretGroups.delete(room);
  renderRooms(result.current);
  if (room === currentRoom) selectRoom(result.current[0]);
  notice(`You left ${room}`);
}

/** Why the page could not connect, in words for the person in front of it: `{ text, details }`. */
function explainFailure({ code, message }) {
  const details = codeDetails(code);
  switch (code) {
    case ClientFailureCode.SERVER_KEY_MISMATCH:
      return {
        text:
          "This server's identity has changed since this browser last connected to it. " +
          'Someone may be intercepting the connection, so this page will not connect. ' +
          "If the server's key was changed on purpose, clear this site's data in your browser and sign in again.",
        details,
      };
    case ClientFailureCode.CLIENT_KEY_MISMATCH:
      return { text: 'This name is already in use from as many other browsers or devices as the chat allows. Sign in with another name.', details };
    case ClientFailureCode.AUTH_FAILED:
      return { text: 'That name cannot be used. Use 1 to 32 letters, digits, "-" or "_".', details };
    case ClientFailureCode.DOWNGRADE:
      return { text: 'The server did not offer an encrypted connection, so this page will not connect.', details };
    case ClientFailureCode.HANDSHAKE_FAILED:
    case ClientFailureCode.CRYPTO_FAILURE:
      return {
        text: 'The secure connection to the server could not be set up. Try again; if it keeps happening, someone may be tampering with the connection.',
        details,
      };
    case ClientFailureCode.REFUSED:
      return { text: 'The server refused the connection. Try again later.', details: codeDetails(code, message) };
    default:
      return { text: 'The page could not connect to the server. Try again later.', details: codeDetails(code, message) };
  }
}

/** A server error on an open connection, in words for the person in front of the page: `{ text, details }`. */
function explainError({ code, message }) {
  const details = codeDetails(code);
  switch (code) {
    case ChatErrorCode.INVALID_CHAT:
      return { text: `Your message could not be sent: it must be 1-${MAX_MESSAGE_LENGTH} characters.`, details };
    case ChatErrorCode.NOT_IN_ROOM:
      return { text: 'You are not in that room any more. Join it again to write to it.', details };
    case ChatErrorCode.UNKNOWN_EVENT:
      return { text: 'The server did not understand this page. Reload it and try again.', details };
    case ErrorCode.RATE_LIMITED:
      return { text: 'You are sending too fast. Wait a moment, then try again.', details };
    default:
      return { text: 'Something went wrong on the server. Try again.', details: codeDetails(code, message) };
  }
}

/** Why a room could not be joined, in plain words. */
function explainDenial({ room, code, message }) {
  switch (code) {
    case ErrorCode.ROOM_LIMIT:
      return { text: `You can't join ${room}: you are in too many rooms. Leave one first.`, details: codeDetails(code) };
    case ErrorCode.INVALID_ROOM_NAME:
    case ErrorCode.ROOM_DENIED:
      return { text: `You can't join ${room}: room names are 1 to 64 lower-case letters, digits or "-".`, details: codeDetails(code) };
    default:
      return { text: `You can't join ${room}.`, details: codeDetails(code, message) };
  }
}

/** Why a message of this page's could not be sent (the SDK's own failure, before it reached the server). */
function explainUnsent({ code, message }) {
  switch (code) {
    case ClientFailureCode.E2E_NOT_MEMBER:
      return { text: 'Your message was not sent: this browser is not in the room\'s encrypted group yet. A member adds it in a moment; try again then.', details: codeDetails(code) };
    case ClientFailureCode.NOT_OPEN:
    case ClientFailureCode.OFFLINE_QUEUE_FULL:
      return { text: 'Your message could not be sent: you are not connected right now.', details: codeDetails(code) };
    default:
      return { text: 'Your message could not be sent.', details: codeDetails(code, message) };
  }
}

function resetToSignIn() {
  roomMembers.clear();
  secretGroups.clear();
  signInForm.hidden = false;
  roomsPanel.hidden = true;
  composeForm.hidden = true;
  showSecurity(undefined);
}

function signIn(name) {
  client?.close();
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const pinName = url.host;
  let firstVisit = browserPins.get(pinName) === undefined;
  client = new SealedClient({
    url: url.href,
    credentials: { token: name },
    pins: browserPins,
    pinName,
    identity: identityFor(name),
    endToEnd: { stateStore: groupStatesFor(name) },
  });
  client.on(ClientLifecycleEvent.OPEN, (info) => {
    setStatus(`Signed in as ${info.userId}`);
    showSecurity(info);
    showAlert();
    if (firstVisit && info.serverFingerprint) {
      notice(
        'First visit to this server: this browser now remembers its key, and will warn you if it ever changes.',
        `Server key: ${info.serverFingerprint}`,
      );
    }
    firstVisit = false;
    signInForm.hidden = true;
    roomsPanel.hidden = false;
  });
  // After a reconnect the rooms are joined again: ask who is there now.
  client.on(ClientLifecycleEvent.REJOINED, ({ rooms }) => {
    for (const room of rooms) client.members(room).then((members) => setMembers(room, members), () => undefined);
  });
  client.on(ServerEvent.PRESENCE, applyPresence);
  client.on(ClientLifecycleEvent.RECONNECTING, ({ delayMs }) => {
    setStatus(`Connection lost; reconnecting in ${Math.ceil(delayMs / MS_PER_SECOND)} s...`, true);
  });
  client.on(ClientLifecycleEvent.FAILURE, (failure) => {
    showAlert(explainFailure(failure));
    setStatus('Not connected', true);
  });
  client.on(ClientLifecycleEvent.CLOSE, () => {
    showSecurity(undefined);
    if (client.state === SealedClientState.CLOSED) resetToSignIn();
  });
  client.on('chat', ({ room, from, text, time }) => {
    addLine([[`[${room}] ${new Date(time).toLocaleTimeString()} `], [`${from}: `, 'from'], [text]]);
  });
  client.on(ClientLifecycleEvent.ROOM_MEMBERS, applyGroup);
  client.on(ClientLifecycleEvent.ROOM_MESSAGE, ({ room, event, sender, data }) => {
    if (event !== SECRET_CHAT_EVENT) return;
    addLine([[`[${room}, end-to-end] ${new Date(data.time).toLocaleTimeString()} `], [`${sender.userId}: `, 'from'], [String(data.text)]], 'secret', `Device key: ${sender.fingerprint}`);
  });
  client.on(ClientLifecycleEvent.ERROR, ({ code, message }) => {
    if (code === ClientFailureCode.E2E_STATE_LOST) notice('This browser lost the keys of an encrypted room (after a reload, say). Leave the room and join it again to be added anew.', codeDetails(code, message));
    else if (code === ClientFailureCode.E2E_UNREADABLE) notice('A message of an encrypted room could not be read, and was dropped.', codeDetails(code, message));
  });
  client.on('error', (error) => {
    // A refusal before the connection opened is explained once, by the failure above.
    if (client.state !== SealedClientState.OPEN) return;
    const { text, details } = explainError(error);
    notice(text, details);
  });
  setStatus('Connecting...');
  client.connect().catch((error) => {
    setStatus('Not connected', true);
    showAlert(explainFailure(error));
  });
}

signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  signIn(new FormData(signInForm).get('name'));
});

joinForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const room = new FormData(joinForm).get('room');
  const result = await client.join([room]);
  for (const denial of result.denied) {
    const { text, details } = explainDenial(denial);
    notice(text, details);
  }
  for (const [joinedRoom, members] of Object.entries(result.members ?? {})) setMembers(joinedRoom, members);
  if (result.rooms.includes(room)) {
    notice(`You joined ${room}`);
    selectRoom(room);
  }
  renderRooms(result.current);
});

composeForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('text');
  if (isSecret(currentRoom)) {
    const room = currentRoom;
    const message = { text: input.value, time: Date.now() };
    // Encrypted in this browser for the room's devices; the server relays what it cannot read, and not back to the sender.
    client.sendToRoom(room, SECRET_CHAT_EVENT, message).then(
      () => addLine([[`[${room}, end-to-end] ${new Date(message.time).toLocaleTimeString()} `], ['you: ', 'from'], [message.text]], 'secret'),
      (error) => {
        const { text, details } = explainUnsent(error);
        notice(text, details);
      },
    );
    input.value = '';
    return;
  }
  client.emit('chat', { room: currentRoom, text: input.value }).catch((error) => {
    const { text, details } = explainUnsent(error);
    notice(text, details);
  });
  input.value = '';
});
