// The sample chat page: the Sealed client SDK in the browser, encrypted end to end with the server.
import {
  ClientFailureCode,
  ClientLifecycleEvent,
  PortableCryptoProvider,
  SealedClient,
  fromBase64,
  toBase64,
} from '/sealed-client.js';

const PIN_PREFIX = 'sealed.pin.';
const IDENTITY_PREFIX = 'sealed.identity.';
const MEMBERS_REFRESH_MS = 5000;

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
let membersTimer;

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

function setStatus(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', isError);
}

function showAlert(text) {
  alertBox.textContent = text;
  alertBox.hidden = !text;
}

function addLine(parts, className) {
  const item = document.createElement('li');
  if (className) item.className = className;
  for (const [text, partClass] of parts) {
    const span = document.createElement('span');
    span.textContent = text;
    if (partClass) span.className = partClass;
    item.append(span);
  }
  messages.append(item);
  item.scrollIntoView({ block: 'end' });
}

function notice(text) {
  addLine([[text]], 'notice');
}

function showSecurity(info) {
  $('level').textContent = info ? info.level : '-';
  $('level').className = info ? info.level : '';
  $('fingerprint').firstElementChild.textContent = info?.serverFingerprint ?? '-';
  $('credentials').textContent = !info
    ? '-'
    : info.credentialsSealed
      ? 'sent only to the verified server, encrypted'
      : 'sent in the clear';
}

function selectRoom(room) {
  currentRoom = room;
  $('target-room').textContent = room ?? '-';
  $('members-room').textContent = room ?? '-';
  composeForm.hidden = !room;
  renderRooms(client?.rooms ?? []);
  refreshMembers();
}

function renderRooms(rooms) {
  roomsList.replaceChildren(
    ...rooms.map((room) => {
      const item = document.createElement('li');
      const select = document.createElement('button');
      select.type = 'button';
      select.textContent = room;
      select.setAttribute('aria-pressed', String(room === currentRoom));
      select.addEventListener('click', () => selectRoom(room));
      const leave = document.createElement('button');
      leave.type = 'button';
      leave.textContent = '×';
      leave.setAttribute('aria-label', `Leave ${room}`);
      leave.addEventListener('click', () => leaveRoom(room));
      item.append(select, leave);
      return item;
    }),
  );
}

function refreshMembers() {
  if (!client || !currentRoom || client.state !== 'open') return;
  client.emit('members', { room: currentRoom }).catch(() => undefined);
}

async function leaveRoom(room) {
  const result = await client.leave([room]);
  renderRooms(result.current);
  if (room === currentRoom) selectRoom(result.current[0]);
  notice(`You left ${room}`);
}

function explainFailure({ code, message }) {
  switch (code) {
    case ClientFailureCode.SERVER_KEY_MISMATCH:
      return (
        "The server's identity key does not match the key this browser pinned for it. " +
        'Someone may be intercepting the connection, so this page will not connect. ' +
        "If the server's key was changed on purpose, clear this site's data to pin the new key."
      );
    case ClientFailureCode.AUTH_FAILED:
      return 'That name was refused: use 1 to 32 letters, digits, "-" or "_".';
    case ClientFailureCode.DOWNGRADE:
      return 'The server did not offer an encrypted connection, so this page will not connect.';
    case ClientFailureCode.REFUSED:
      return `The server refused the secure connection (${message}). This name may already be tied to another browser's key.`;
    default:
      return message;
  }
}

function resetToSignIn() {
  clearInterval(membersTimer);
  signInForm.hidden = false;
  roomsPanel.hidden = true;
  composeForm.hidden = true;
  showSecurity(undefined);
}

function signIn(name) {
  client?.close();
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  client = new SealedClient({
    url: url.href,
    credentials: { token: name },
    pins: browserPins,
    identity: identityFor(name),
  });
  client.on(ClientLifecycleEvent.OPEN, (info) => {
    setStatus(`Signed in as ${info.userId}`);
    showSecurity(info);
    showAlert('');
    signInForm.hidden = true;
    roomsPanel.hidden = false;
    clearInterval(membersTimer);
    membersTimer = setInterval(refreshMembers, MEMBERS_REFRESH_MS);
  });
  client.on(ClientLifecycleEvent.RECONNECTING, ({ delayMs }) => {
    setStatus(`Connection lost; reconnecting in ${Math.ceil(delayMs / 1000)} s...`, true);
  });
  client.on(ClientLifecycleEvent.FAILURE, (failure) => {
    showAlert(explainFailure(failure));
    setStatus('Not connected', true);
  });
  client.on(ClientLifecycleEvent.CLOSE, () => {
    showSecurity(undefined);
    if (client.state === 'closed') resetToSignIn();
  });
  client.on('chat', ({ room, from, text, time }) => {
    addLine([[`[${room}] ${new Date(time).toLocaleTimeString()} `], [`${from}: `, 'from'], [text]]);
    if (room === currentRoom && !$('members').textContent.split(', ').includes(from)) refreshMembers();
  });
  client.on('members', ({ room, users }) => {
    if (room === currentRoom) $('members').textContent = users.join(', ') || '-';
  });
  client.on('error', ({ code, message }) => notice(`Error ${code}: ${message}`));
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
  for (const denial of result.denied) notice(`You can't join ${denial.room}: ${denial.message}`);
  if (result.rooms.includes(room)) {
    notice(`You joined ${room}`);
    selectRoom(room);
  }
  renderRooms(result.current);
});

composeForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('text');
  client.emit('chat', { room: currentRoom, text: input.value }).catch((error) => notice(error.message));
  input.value = '';
});
