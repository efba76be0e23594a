import type { AuthenticateFn } from '@sealed/helpers';
import { USER_NAME_PATTERN } from '../chat-protocol.ts';

/**
 * Demo authentication: `{ "token": "<name>" }` signs in as `<name>`. A real
 * application verifies a session token or a signed JWT here.
 */
export const demoAuthenticate: AuthenticateFn = ({ data }) => {
  const token = typeof data === 'object' && data !== null ? (data as { token?: unknown }).token : undefined;
  return typeof token === 'string' && USER_NAME_PATTERN.test(token) ? { userId: token } : null;
};
