import type {
  AuthenticateFn,
  ClientConnectedFn,
  ClientDisconnectedFn,
  DeliveryServiceStore,
  EndToEndRoomFn,
  HandshakeFn,
  InboundTransformer,
  MessageBus,
  MessageHandler,
  HistoryStore,
  PresenceStore,
  RoomHistoryFn,
  RoomPresenceFn,
  OutboundTransformer,
  ValidateRoomFn,
  WebSocketServerHelper,
} from '@sealed/helpers';
import { bindingKey } from '../../binding-key.ts';
import type { WebSocketComponentOptions } from './websocket-component-options.ts';

/** What an application binds for `WebSocketComponent`, and what the component binds back. */
export const WebSocketBindingKeys = {
  /** Plain options of the server (path, limits, timeouts, ...); every field optional. */
  SERVER_OPTIONS: bindingKey<WebSocketComponentOptions>('sealed.websocket.serverOptions'),
  /** Checks the `authenticate` payload. Required: the component refuses to start without it. */
  AUTHENTICATE_HANDLER: bindingKey<AuthenticateFn>('sealed.websocket.authenticateHandler'),
  /** Decides which rooms a client may join. Unbound: every `join` is denied. */
  VALIDATE_ROOM_HANDLER: bindingKey<ValidateRoomFn>('sealed.websocket.validateRoomHandler'),
  /** Told when a client is open. */
  CLIENT_CONNECTED_HANDLER: bindingKey<ClientConnectedFn>('sealed.websocket.clientConnectedHandler'),
  /** Told when an open client disconnects. */
  CLIENT_DISCONNECTED_HANDLER: bindingKey<ClientDisconnectedFn>('sealed.websocket.clientDisconnectedHandler'),
  /** Receives application events from open clients; what it returns answers a request. Takes a handler typed by any event map (`MessageHandler<ClientToServer>`). */
  MESSAGE_HANDLER: bindingKey<MessageHandler<any>>('sealed.websocket.messageHandler'),
  /** Transforms (encrypts) every outbound message to an encrypted client. */
  OUTBOUND_TRANSFORMER: bindingKey<OutboundTransformer>('sealed.websocket.outboundTransformer'),
  /** Transforms (decrypts) every inbound frame from an encrypted client before dispatch. */
  INBOUND_TRANSFORMER: bindingKey<InboundTransformer>('sealed.websocket.inboundTransformer'),
  /** Runs the key exchange during authentication. */
  HANDSHAKE_HANDLER: bindingKey<HandshakeFn>('sealed.websocket.handshakeHandler'),
  /** How instances reach each other (`RedisBus`, `InProcessBus`). The component starts it before the server and closes it after. Unbound: this instance alone. */
  MESSAGE_BUS: bindingKey<MessageBus>('sealed.websocket.messageBus'),
  /** Says which rooms keep history (`roomHistoryFn`). Unbound: none does. */
  ROOM_HISTORY_HANDLER: bindingKey<RoomHistoryFn>('sealed.websocket.roomHistoryHandler'),
  /** Where room histories live (`RedisHistoryStore` with a Redis bus). The application starts and closes it. Unbound: in memory. */
  HISTORY_STORE: bindingKey<HistoryStore>('sealed.websocket.historyStore'),
  /** Says which rooms track presence (`roomPresenceFn`). Unbound: none does. */
  ROOM_PRESENCE_HANDLER: bindingKey<RoomPresenceFn>('sealed.websocket.roomPresenceHandler'),
  /** Where presence is kept (`RedisPresenceStore` with a Redis bus). The application starts and closes it. Unbound: in memory. */
  PRESENCE_STORE: bindingKey<PresenceStore>('sealed.websocket.presenceStore'),
  /** Says which rooms are end-to-end MLS groups (`endToEndRoomFn`). Unbound: none is. */
  END_TO_END_ROOM_HANDLER: bindingKey<EndToEndRoomFn>('sealed.websocket.endToEndRoomHandler'),
  /** Where end-to-end rooms' Delivery Service keeps its state. The application starts and closes it. Unbound: in memory. */
  DELIVERY_SERVICE_STORE: bindingKey<DeliveryServiceStore>('sealed.websocket.deliveryServiceStore'),
  /** The live server, bound by the component once it has started. */
  WEBSOCKET_INSTANCE: bindingKey<WebSocketServerHelper>('sealed.websocket.instance'),
} as const;
