import type { GraphCall } from './odata';
import { READ_ACTIONS } from './router';

export interface RequestCost {
  /** Resource units charged to the app+tenant bucket. */
  ru: number;
  /** Write requests charged to the write bucket. */
  writes: number;
}

function hasOption(call: GraphCall, name: string): boolean {
  for (const key of call.query.keys()) if (key.toLowerCase() === name) return true;
  return false;
}

function option(call: GraphCall, name: string): string | undefined {
  for (const [k, v] of call.query) if (k.toLowerCase() === name) return v;
  return undefined;
}

/**
 * The identity-and-access cost of a request, by the published table: GET on users costs 2, other GETs 1, a write 1 RU plus
 * one write; $select takes 1 off, $expand adds 1, $top under 20 takes 1 off; never below 1. Read-only POST actions such as
 * checkMemberGroups cost like a GET.
 */
export function costOf(call: GraphCall): RequestCost {
  const [resource, , nav] = call.segments.map((s) => s.toLowerCase());
  const readAction = call.method === 'POST' && nav !== undefined && READ_ACTIONS.has(nav);
  const isWrite = !readAction && ['POST', 'PATCH', 'PUT', 'DELETE'].includes(call.method);
  let ru: number;
  if (isWrite) ru = 1;
  else if (resource === 'users' && call.segments.length <= 2) ru = 2;
  else ru = 1;
  if (!isWrite) {
    if (hasOption(call, '$select')) ru -= 1;
    if (hasOption(call, '$expand')) ru += 1;
    const top = Number(option(call, '$top'));
    if (Number.isFinite(top) && option(call, '$top') !== undefined && top < 20) ru -= 1;
  }
  return { ru: Math.max(1, ru), writes: isWrite ? 1 : 0 };
}
