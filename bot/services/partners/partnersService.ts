import { randomUUID } from 'node:crypto';
import { parsePartnerAccountRef } from '../../onprem/partnerAccounts';
import { OnPremDirectoryError } from '../../onprem/ldapConnection';

/** What on-prem AD refused or could not answer, with a message for the card; commands catch it without reaching into onprem/. */
export { OnPremDirectoryError };
import { csvField } from '../bulk/csv';
import { ResultsLinks, type LinkKind, type LinkVerdict } from '../bulk/resultsLink';
import { JOIN_KEY_WORDS, PARTNER_STATES, STATE_TITLES, type PartnerRecord } from './partnerStates';
import type { PartnerDetail, PartnerScan, PartnerSyncService } from './partnerSync';

/** Accounts per page of the `partners` card: eight sentences keep it well under Teams' 28 KB. */
export const PARTNERS_PAGE_SIZE = 8;
/** A scan is kept this long for its Next page clicks; an older or unknown one (another instance) is scanned again. */
const SCAN_KEPT_MS = 10 * 60_000;
const SCANS_KEPT = 20;

export interface PartnersPage {
  scanId: string;
  scan: PartnerScan;
  page: number;
  pages: number;
  /** The records of this page, all needing action (consistent ones are only counted). */
  records: PartnerRecord[];
  exportUrl?: string;
}

export interface ExportLinkSettings {
  publicBaseUrl?: string;
  resultsOnOwnAddress?: boolean;
  linkSecret: string;
  linkLifetimeMs: number;
}

/**
 * The `partners` command's use cases over PartnerSyncService: the overview in pages (a scan is kept a few minutes so Next
 * page does not rescan 10,000 accounts), one account by what a person typed, and the CSV export behind a signed link.
 */
/** `partners` exports: signed for their own scope, so a partners link never opens a bulk run's results, or the reverse. */
export const PARTNERS_EXPORT_LINK: LinkKind = { scope: 'partners-results', path: (scanId) => `/partners/${scanId}/results.csv` };

export class PartnersService {
  private readonly scans = new Map<string, { scan: PartnerScan; at: number }>();
  private links: ResultsLinks;

  constructor(
    private readonly sync: PartnerSyncService,
    private readonly linkSettings: ExportLinkSettings,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.links = new ResultsLinks(linkSettings, now, PARTNERS_EXPORT_LINK);
  }

  get domain(): string {
    return this.sync.domain;
  }

  /** Sandbox mode without PUBLIC_BASE_URL: export links point at the bot's own address once it listens. */
  serveExportAt(ownBaseUrl: string): void {
    if (this.linkSettings.publicBaseUrl || !this.linkSettings.resultsOnOwnAddress) return;
    this.links = new ResultsLinks({ ...this.linkSettings, publicBaseUrl: ownBaseUrl.replace(/\/+$/, '') }, this.now, PARTNERS_EXPORT_LINK);
  }

  /** A page of the overview; a new scan unless `scanId` names one this instance still keeps. */
  async page(page = 1, scanId?: string): Promise<PartnersPage> {
    const kept = scanId ? this.scans.get(scanId) : undefined;
    const fresh = kept && this.now().getTime() - kept.at < SCAN_KEPT_MS ? { id: scanId ?? '', scan: kept.scan } : await this.freshScan();
    const needing = fresh.scan.records.filter((r) => r.state !== 'consistent');
    const pages = Math.max(1, Math.ceil(needing.length / PARTNERS_PAGE_SIZE));
    const current = Math.min(Math.max(1, page), pages);
    const exportUrl = this.links.url(fresh.id);
    return {
      scanId: fresh.id,
      scan: fresh.scan,
      page: current,
      pages,
      records: needing.slice((current - 1) * PARTNERS_PAGE_SIZE, current * PARTNERS_PAGE_SIZE),
      ...(exportUrl ? { exportUrl } : {}),
    };
  }

  /** `partners <account>`: a reference that cannot be an AD account is refused with the reason before anything is read. */
  async detail(text: string): Promise<PartnerDetail | { kind: 'invalid'; problem: string }> {
    let ref;
    try {
      ref = parsePartnerAccountRef(text);
    } catch (error) {
      if (error instanceof OnPremDirectoryError) return { kind: 'invalid', problem: error.message };
      throw error;
    }
    return this.sync.detail(ref, text.trim());
  }

  verifyExportLink(id: string, expires: string, sig: string): LinkVerdict {
    return this.links.verify(id, expires, sig);
  }

  /** The whole list as CSV: the kept scan of the link, or a fresh one. Every cell is protected against formula injection. */
  async exportCsv(scanId: string): Promise<string> {
    const kept = this.scans.get(scanId);
    const scan = kept ? kept.scan : (await this.freshScan()).scan;
    return partnersCsv(scan.records);
  }

  private async freshScan(): Promise<{ id: string; scan: PartnerScan }> {
    const scan = await this.sync.scan();
    const id = randomUUID();
    const at = this.now().getTime();
    for (const [key, value] of this.scans) if (at - value.at >= SCAN_KEPT_MS) this.scans.delete(key);
    for (const key of this.scans.keys()) if (this.scans.size >= SCANS_KEPT) this.scans.delete(key);
    this.scans.set(id, { scan, at });
    return { id, scan };
  }
}

const COLUMNS = [
  'State', 'sAMAccountName', 'userPrincipalName', 'mail', 'objectSid', 'immutableId (base64)', 'Distinguished name', 'Disabled in AD', 'Locked in AD',
  'accountExpires', 'Marker value', 'Partner rule', 'Matched by', 'Entra object id', 'Entra UPN', 'Entra userType', 'Entra accountEnabled',
  'Invited guest object id', 'Invited guest UPN', 'What to do',
];

/** One row per record, state order; the sentence last so a spreadsheet keeps the short columns readable. */
export function partnersCsv(records: readonly PartnerRecord[]): string {
  const rows = [...records]
    .sort((a, b) => PARTNER_STATES.indexOf(a.state) - PARTNER_STATES.indexOf(b.state))
    .map((r) => {
      const a = r.account;
      const rule = a?.partner ? ('upnSuffix' in a.partner ? `UPN suffix @${a.partner.upnSuffix}` : `${a.partner.attribute} = ${a.partner.value}`) : 'not a partner';
      return [
        STATE_TITLES[r.state], a?.sAMAccountName ?? '', a?.userPrincipalName ?? '', a?.mail ?? '', a?.objectSid ?? '', a?.immutableId ?? '', a?.dn ?? '',
        a ? String(a.disabled) : '', a ? String(a.locked) : '', a ? (a.accountExpires === 'never' ? 'never' : a.accountExpires.toISOString()) : '',
        a?.markerValue ?? '', a ? rule : '', r.matchedBy ? JOIN_KEY_WORDS[r.matchedBy] : '', r.entra?.id ?? '', r.entra?.userPrincipalName ?? '',
        r.entra?.userType ?? '', r.entra?.accountEnabled === undefined ? '' : String(r.entra.accountEnabled), r.twin?.id ?? '', r.twin?.userPrincipalName ?? '', r.sentence,
      ];
    });
  return [COLUMNS, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
