// The sample chat page on the plain Sealed protocol.
const statusLine = document.getElementById('status');
const signInForm = document.getElementById('sign-in');
const joinForm = document.getElementById('join');
const composeForm = document.getElementById('compose');
const messages = document.getElementById('messages');
const roomsLine = document.getElementById('rooms');
const targetRoom = document.getElementById('target-room');

let socket;
let currentRoom;

function setStatus(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', isError);
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

function send(event, data) {
  socket.send(JSON.stringify({ event, data }));
}

const handlers = {
  connected: ({ userId }) => {
    setStatus(`Signed in as ${userId}`);
    signInForm.hidden = true;
    joinForm.hidden = false;
  },
  joined: ({ rooms, denied, current }) => {
    roomsLine.textContent = current.join(', ') || 'none';
    if (rooms.length > 0) {
      currentRoom = rooms[rooms.length - 1];
      targetRoom.textContent = currentRoom;
      composeForm.hidden = false;
      addLine([[`You joined ${rooms.join(', ')}`]], 'notice');
    }
    for (const denial of denied) addLine([[`Could not join ${denial.room}: ${denial.message}`]], 'notice');
  },
  left: ({ current }) => {
    roomsLine.textContent = current.join(', ') || 'none';
  },
  chat: ({ room, from, text, time }) => {
    const clock = new Date(time).toLocaleTimeString();
    addLine([[`[${room}] ${clock} `], [`${from}: `, 'from'], [text]]);
  },
  error: ({ code, message }) => {
    setStatus(`${message} (${code})`, true);
  },
};

signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = new FormData(signInForm).get('name');
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  socket = new WebSocket(url);
  setStatus('Connecting...');
  socket.addEventListener('open', () => send('authenticate', { token: name }));
  socket.addEventListener('message', (message) => {
    const { event: name, data } = JSON.parse(message.data);
    handlers[name]?.(data);
  });
  socket.addEventListener('close', (close) => {
    setStatus(`Disconnected (${close.code})`, close.code !== 1000);
    signInForm.hidden = false;
    joinForm.hidden = true;
    composeForm.hidden = true;
  });
});

joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  send('join', { rooms: [new FormData(joinForm).get('room')] });
});

composeForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('text');
  send('chat', { room: currentRoom, text: input.value });
  input.value = '';
});
