import 'reflect-metadata';

export { bindingKey, bindingKeyName, type BindingKey, type BoundType } from './binding-key.ts';
export { CoreBindingKeys } from './core-binding-keys.ts';
export { ApplicationState, ApplicationStateError } from './application/application-state.ts';
export { BaseApplication, ApplicationDefaults, type ApplicationOptions } from './application/base-application.ts';
export { BaseComponent } from './application/base-component.ts';
export { HARDENED_TLS, hardenedHttpsOptions, type ApplicationTlsOptions } from './application/hardened-tls.ts';
export { MissingBindingError } from './application/missing-binding-error.ts';
export { WebSocketBindingKeys } from './components/websocket/websocket-binding-keys.ts';
export type { WebSocketComponentOptions } from './components/websocket/websocket-component-options.ts';
export { WebSocketComponent } from './components/websocket/websocket.component.ts';
