import { describe, expect, it } from 'vitest';
import { ApplicationDefaults } from '@sealed/core';
import { SecurityLevel } from '@sealed/helpers';
import { DEFAULT_CHAT_LOG_LEVEL, readChatEnvironment, type ChatEnvironment, type EnvironmentRecord } from './chat-environment.ts';

const REDIS = { REDIS_URL: 'redis://127.0.0.1:6379', BUS_SECRET: 'shared secret' };

function problemsOf(env: EnvironmentRecord): string[] {
  const environment: ChatEnvironment = readChatEnvironment(env);
  if (environment.ok) throw new Error(`expected problems, got settings ${JSON.stringify(environment.settings)}`);
  return environment.problems;
}

function settingsOf(env: EnvironmentRecord) {
  const environment = readChatEnvironment(env);
  if (!environment.ok) throw new Error(`expected settings, got problems ${environment.problems.join('; ')}`);
  return environment.settings;
}

describe(readChatEnvironment, () => {
  describe('defaults', () => {
    it('runs on the embedded defaults when nothing is set', () => {
      expect(settingsOf({})).toEqual({
        port: ApplicationDefaults.PORT,
        host: ApplicationDefaults.HOST,
        securityLevels: [SecurityLevel.ENCRYPTED],
        identityFile: undefined,
        redisUrl: undefined,
        busSecret: undefined,
        logLevel: DEFAULT_CHAT_LOG_LEVEL,
        metrics: true,
        metricsToken: undefined,
        tls: undefined,
      });
    });

    it('treats an empty IDENTITY_FILE, REDIS_URL or BUS_SECRET as unset', () => {
      expect(settingsOf({ IDENTITY_FILE: '', REDIS_URL: '', BUS_SECRET: '' })).toMatchObject({
        identityFile: undefined,
        redisUrl: undefined,
        busSecret: undefined,
      });
    });
  });

  describe('PORT', () => {
    it.each(['0', '8080', '65535'])('accepts %s', (port) => {
      expect(settingsOf({ PORT: port }).port).toBe(Number(port));
    });

    it.each(['abc', '', '-1', '65536', '80.5', '1e3', ' 80', '0x50'])('refuses %j', (port) => {
      expect(problemsOf({ PORT: port })).toEqual([`PORT must be an integer from 0 to 65535 (0: any free port), got ${JSON.stringify(port)}`]);
    });
  });

  describe('METRICS and METRICS_TOKEN', () => {
    it('turns /metrics off, and keeps a token for it', () => {
      expect(settingsOf({ METRICS: 'off' }).metrics).toBe(false);
      expect(settingsOf({ METRICS: 'on', METRICS_TOKEN: 'scrape-me' })).toMatchObject({ metrics: true, metricsToken: 'scrape-me' });
    });

    it.each(['yes', 'OFF', '0'])('refuses METRICS=%j', (value) => {
      expect(problemsOf({ METRICS: value })).toEqual([`METRICS must be on or off, got ${JSON.stringify(value)}`]);
    });
  });

  describe('TLS_CERT and TLS_KEY', () => {
    it('takes both files', () => {
      expect(settingsOf({ TLS_CERT: 'cert.pem', TLS_KEY: 'key.pem' }).tls).toEqual({ certFile: 'cert.pem', keyFile: 'key.pem' });
    });

    it('refuses one without the other', () => {
      expect(problemsOf({ TLS_CERT: 'cert.pem' })).toEqual(['TLS_CERT and TLS_KEY go together: set TLS_KEY too, or neither']);
      expect(problemsOf({ TLS_KEY: 'key.pem' })).toEqual(['TLS_CERT and TLS_KEY go together: set TLS_CERT too, or neither']);
    });
  });

  describe('HOST', () => {
    it('accepts an address', () => {
      expect(settingsOf({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    });

    it.each(['', '  '])('refuses %j', (host) => {
      expect(problemsOf({ HOST: host })).toEqual([expect.stringMatching(/^HOST must name an address to listen on/)]);
    });
  });

  describe('SECURITY_LEVELS', () => {
    it('reads a comma-separated list', () => {
      expect(settingsOf({ SECURITY_LEVELS: 'encrypted, none' }).securityLevels).toEqual([SecurityLevel.ENCRYPTED, SecurityLevel.NONE]);
    });

    it('turns an unknown level into one line naming it', () => {
      expect(problemsOf({ SECURITY_LEVELS: 'encrypted,secret' })).toEqual([expect.stringMatching(/^SECURITY_LEVELS: Unknown security level "secret"/)]);
    });

    it('turns an empty list into one line', () => {
      expect(problemsOf({ SECURITY_LEVELS: ' , ' })).toEqual(['SECURITY_LEVELS: At least one security level is required']);
    });
  });

  describe('REDIS_URL and BUS_SECRET', () => {
    it.each(['redis://127.0.0.1:6379', 'rediss://user:password@redis.example:6380/0'])('accepts %s with BUS_SECRET', (url) => {
      expect(settingsOf({ ...REDIS, REDIS_URL: url })).toMatchObject({ redisUrl: url, busSecret: REDIS.BUS_SECRET });
    });

    it.each(['localhost:6379', 'http://127.0.0.1:6379', 'redis://', 'not a url'])('refuses %j', (url) => {
      expect(problemsOf({ ...REDIS, REDIS_URL: url })).toEqual(['REDIS_URL must be a redis://host:port or rediss://host:port URL']);
    });

    it('never repeats the URL, which may hold a password', () => {
      expect(problemsOf({ ...REDIS, REDIS_URL: 'http://user:hunter2@redis.example' }).join('\n')).not.toContain('hunter2');
    });

    it('requires BUS_SECRET with REDIS_URL', () => {
      expect(problemsOf({ REDIS_URL: REDIS.REDIS_URL })).toEqual([expect.stringMatching(/^REDIS_URL is set without BUS_SECRET/)]);
    });
  });

  describe('LOG_LEVEL', () => {
    it('reads a pino level', () => {
      expect(settingsOf({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    });

    it.each(['loud', ''])('refuses %j', (level) => {
      expect(problemsOf({ LOG_LEVEL: level })).toEqual([expect.stringMatching(/^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/)]);
    });
  });

  it('reports every problem, one line each, in the order of the variables', () => {
    const problems = problemsOf({ PORT: 'abc', HOST: '', SECURITY_LEVELS: 'secret', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' });
    expect(problems.map((problem) => problem.split(/[ :]/, 1)[0])).toEqual(['PORT', 'HOST', 'SECURITY_LEVELS', 'REDIS_URL', 'REDIS_URL', 'LOG_LEVEL']);
    for (const problem of problems) expect(problem).not.toContain('\n');
  });
});
