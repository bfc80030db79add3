/** One Graph request or $batch item, as a test asserting a call budget wants to see it. */
export interface GraphRequestRecord {
  method: string;
  /** Decoded path with its query, version included: `/v1.0/users?$select=id&$filter=mail eq 'a@b.com'`. */
  path: string;
  status: number;
  /** Resource units charged; 0 when the request was refused before it was served (401, throttled, injected fault). */
  ru: number;
  writes: number;
  /** Present and true for a request that arrived inside a $batch. */
  batchItem?: boolean;
  /** Why the sandbox refused it before the handler ran, if it did. */
  refused?: 'unauthenticated' | 'throttled' | 'fault';
}

export interface LoginRequestRecord {
  method: string;
  path: string;
  status: number;
}

export interface SandboxStats {
  /** HTTP requests to /v1.0 or /beta; a $batch envelope counts once. */
  graphRoundTrips: number;
  /** $batch envelopes among those round trips. */
  batchRequests: number;
  /** Requests carried inside $batch envelopes. */
  batchItems: number;
  /** Resource units charged across requests and batch items. */
  resourceUnits: number;
  writes: number;
  /** 429s from the token bucket (requests and batch items). */
  throttled: number;
  /** Requests answered by an injected fault. */
  faultsInjected: number;
  /** HTTP requests to the login endpoints (openid-configuration, token, userrealm, keys). */
  loginRoundTrips: number;
  tokensIssued: number;
  /** The most Graph HTTP requests being served at once since the last reset: what a client's fan-out looks like. */
  peakGraphInFlight: number;
  /** Top-level Graph requests and batch items in arrival order (a batch's items follow its envelope). */
  requests: GraphRequestRecord[];
  login: LoginRequestRecord[];
}

export function emptyStats(): SandboxStats {
  return {
    graphRoundTrips: 0,
    batchRequests: 0,
    batchItems: 0,
    resourceUnits: 0,
    writes: 0,
    throttled: 0,
    faultsInjected: 0,
    loginRoundTrips: 0,
    tokensIssued: 0,
    peakGraphInFlight: 0,
    requests: [],
    login: [],
  };
}

export class StatsRecorder {
  private current = emptyStats();
  private graphInFlight = 0;

  snapshot(): SandboxStats {
    return structuredClone(this.current);
  }

  reset(): void {
    this.current = emptyStats();
    this.current.peakGraphInFlight = this.graphInFlight;
  }

  /** Counts one Graph HTTP request as being served until the returned function is called. */
  graphStarted(): () => void {
    this.graphInFlight += 1;
    this.current.peakGraphInFlight = Math.max(this.current.peakGraphInFlight, this.graphInFlight);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.graphInFlight -= 1;
    };
  }

  graph(record: GraphRequestRecord, envelope: boolean): void {
    const s = this.current;
    if (record.batchItem) s.batchItems += 1;
    else s.graphRoundTrips += 1;
    if (envelope) s.batchRequests += 1;
    s.resourceUnits += record.ru;
    s.writes += record.writes;
    if (record.refused === 'throttled') s.throttled += 1;
    if (record.refused === 'fault') s.faultsInjected += 1;
    s.requests.push(record);
  }

  login(record: LoginRequestRecord, refusedByFault: boolean, tokenIssued: boolean): void {
    const s = this.current;
    s.loginRoundTrips += 1;
    if (refusedByFault) s.faultsInjected += 1;
    if (tokenIssued) s.tokensIssued += 1;
    s.login.push(record);
  }
}
