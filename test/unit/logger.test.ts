import { Writable } from 'node:stream';
import { runInNewContext } from 'node:vm';
import { GraphError } from '@microsoft/microsoft-graph-client';
import { loadConfig } from '../../bot/config';
import { CIRCULAR, createLogger, MAX_REDACTION_DEPTH, REDACTED, TOO_DEEP } from '../../bot/logger';

const TENANT = '11111111-2222-3333-4444-555555555555';
const APP = 'bbbbbbbb-0000-0000-0000-000000000001';

/** Every secret a deployment can carry, each distinct so that a leak names itself. */
const SECRETS = {
  MicrosoftAppPassword: 'leak-bot-app-password',
  AZURE_CLIENT_SECRET: 'leak-graph-client-secret',
  ONPREM_BIND_PASSWORD: 'leak-ldap-bind-password',
  DOWNLOAD_LINK_SECRET: 'leak-download-link-secret-0123456789abcdef',
};

const env = {
  MicrosoftAppId: APP,
  MicrosoftAppType: 'SingleTenant',
  MicrosoftAppTenantId: TENANT,
  AZURE_TENANT_ID: TENANT,
  AZURE_CLIENT_ID: APP,
  ADMIN_GROUP_ID: 'aaaaaaaa-0000-0000-0000-000000000001',
  MANAGER_GROUP_ID: 'aaaaaaaa-0000-0000-0000-000000000002',
  PUBLIC_BASE_URL: 'https://bot.contoso.com',
  ONPREM_LDAP_URL: 'ldaps://dc1.corp.contoso.com',
  ONPREM_BIND_DN: 'CN=svc-bot,OU=Service,DC=corp,DC=contoso,DC=com',
  ONPREM_GUEST_OU: 'OU=B2BGuests,DC=corp,DC=contoso,DC=com',
  ...SECRETS,
};

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, stream };
}

function expectNoSecret(output: string, secrets: readonly string[]): void {
  for (const secret of secrets) expect(output).not.toContain(secret);
}

describe('log redaction', () => {
  it('logs a whole config, at the top level and nested, without a secret', () => {
    const loaded = loadConfig(env, '/srv/bot');
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const { lines, stream } = capture();
    const log = createLogger('info', stream);

    log.info(loaded.config, 'config at the top level');
    log.info({ config: loaded.config }, 'config under a key');
    log.child({ component: 'start' }).info({ deep: { config: loaded.config } }, 'config two levels down');
    log.info({ env }, 'the environment');
    log.info({ graph: loaded.config.graph }, 'one section');
    log.info(loaded.config.onprem, 'on-prem settings at the top level');

    const output = lines.join('');
    expect(lines).toHaveLength(6);
    expectNoSecret(output, Object.values(SECRETS));
    expect(output).toContain(REDACTED);
    // What is not secret still shows, so redaction did not simply drop the objects.
    expect(output).toContain('dc1.corp.contoso.com');
    expect(output).toContain(APP);
  });

  it('logs a Graph error that carries an Authorization header and tokens without them', () => {
    const bearer = 'Bearer eyJleak.graph.token';
    const error = new GraphError(401, 'InvalidAuthenticationToken');
    Object.assign(error, {
      code: 'InvalidAuthenticationToken',
      request: { method: 'GET', url: 'https://graph.microsoft.com/v1.0/users', headers: { Authorization: bearer, 'client-request-id': 'c1' } },
      response: { headers: { authorization: bearer, 'set-cookie': 'fpc=leak-cookie' } },
      body: JSON.stringify({ error: { code: 'InvalidAuthenticationToken' } }),
      tokenResponse: { access_token: 'leak-access-token', refresh_token: 'leak-refresh-token', id_token: 'leak-id-token' },
    });
    const { lines, stream } = capture();
    const log = createLogger('info', stream);

    log.error({ err: error }, 'graph call failed');
    log.error({ component: 'graph', nested: { err: error } }, 'graph call failed, nested');
    log.warn({ headers: { authorization: bearer }, token: 'leak-bare-token', accessToken: 'leak-camel-token' }, 'top-level header and tokens');

    const output = lines.join('');
    expectNoSecret(output, ['eyJleak', 'leak-cookie', 'leak-access-token', 'leak-refresh-token', 'leak-id-token', 'leak-bare-token', 'leak-camel-token']);
    expect(output).toContain('InvalidAuthenticationToken');
    expect(output).toContain('client-request-id');
  });
});

/** `{ a: { a: … { [key]: value } } }` with `levels` objects above the key, so the key sits `levels` levels down. */
function nested(levels: number, key: string, value: unknown): Record<string, unknown> {
  let object: Record<string, unknown> = { [key]: value };
  for (let level = 0; level < levels; level++) object = { a: object };
  return object;
}

function parsedLines(lines: readonly string[]): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('log redaction beyond fixed paths', () => {
  it('censors a secret at every depth up to the limit, deeper than the five levels pino paths covered', () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    for (let levels = 0; levels <= MAX_REDACTION_DEPTH - 1; levels++) log.info(nested(levels, 'clientSecret', `leak-at-${levels}`), 'deep');
    const output = lines.join('');
    expect(lines).toHaveLength(MAX_REDACTION_DEPTH);
    expect(output).not.toContain('leak-at-');
    expect(output.split(REDACTED)).toHaveLength(MAX_REDACTION_DEPTH + 1);
  });

  it('writes what lies beyond the depth limit as a marker, never unchecked', () => {
    const { lines, stream } = capture();
    createLogger('info', stream).info(nested(MAX_REDACTION_DEPTH + 3, 'password', 'leak-too-deep'), 'very deep');
    expect(lines.join('')).not.toContain('leak-too-deep');
    expect(lines.join('')).toContain(TOO_DEEP);
  });

  it('matches secret names whatever their case, inside arrays too', () => {
    const { lines, stream } = capture();
    createLogger('info', stream).info({ items: [{ PASSWORD: 'leak-upper' }, { Set_Cookie: 'kept', 'SET-COOKIE': 'leak-cookie' }] }, 'cases');
    const output = lines.join('');
    expectNoSecret(output, ['leak-upper', 'leak-cookie']);
    expect(output).toContain('kept');
  });

  it('censors child and grandchild bindings', () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    log.child({ token: 'leak-child-token', component: 'child' }).child({ request: { headers: { authorization: 'Bearer leak-grandchild' } } }).info('from a grandchild');
    const output = lines.join('');
    expectNoSecret(output, ['leak-child-token', 'leak-grandchild']);
    expect(output).toContain('"component":"child"');
  });

  it('survives a cycle and never changes the objects it was given', () => {
    const { lines, stream } = capture();
    const request: Record<string, unknown> = { url: 'https://graph.microsoft.com/v1.0/me', headers: { Authorization: 'Bearer leak-cyclic' } };
    request.self = request;
    const logged = { request, list: [request] };
    createLogger('info', stream).info(logged, 'cyclic');
    const output = lines.join('');
    expect(output).not.toContain('leak-cyclic');
    expect(output).toContain(CIRCULAR);
    expect(request.headers).toEqual({ Authorization: 'Bearer leak-cyclic' });
    expect(logged.list[0]).toBe(request);
  });

  it('keeps an error its type, message and stack while censoring its fields, nested or not', () => {
    const error = new GraphError(403, 'Forbidden');
    Object.assign(error, { code: 'Authorization_RequestDenied', config: { headers: { Authorization: 'Bearer leak-error-header' } } });
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    log.error({ err: error }, 'top level');
    log.error(nested(7, 'err', error), 'seven levels down');
    log.error(error);
    const output = lines.join('');
    expect(output).not.toContain('leak-error-header');
    for (const line of parsedLines(lines)) expect(JSON.stringify(line)).toContain('Authorization_RequestDenied');
    const [top, , bare] = parsedLines(lines);
    expect(top?.err).toMatchObject({ type: 'GraphError', message: 'Forbidden', code: 'Authorization_RequestDenied' });
    expect(bare?.err).toMatchObject({ type: 'GraphError', message: 'Forbidden' });
    expect(String((top?.err as { stack?: unknown } | undefined)?.stack)).toContain('Forbidden');
    expect((error as unknown as { config: { headers: { Authorization: string } } }).config.headers.Authorization).toBe('Bearer leak-error-header');
  });

  it('serializes and censors an error from another realm, which fails instanceof Error', () => {
    const foreign = runInNewContext('Object.assign(new Error("from a vm"), { headers: { cookie: "leak-vm-cookie" } })') as object;
    expect(foreign instanceof Error).toBe(false);
    const { lines, stream } = capture();
    createLogger('info', stream).error({ err: foreign }, 'foreign error');
    expect(lines.join('')).not.toContain('leak-vm-cookie');
    expect(parsedLines(lines)[0]?.err).toMatchObject({ type: 'Error', message: 'from a vm' });
  });
});
