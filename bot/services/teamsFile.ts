import { z } from 'zod';

/** A file a person attached in Teams: the bot gets a short-lived download URL for it. */
const FileDownload = z.object({
  contentType: z.literal('application/vnd.microsoft.teams.file.download.info'),
  name: z.string().optional(),
  content: z.object({ downloadUrl: z.string(), fileType: z.string().optional() }).passthrough(),
});

export const MAX_FILE_BYTES = 1024 * 1024;

/** What a download gave: the bytes, or why there are none. */
export type Download =
  | { kind: 'ok'; bytes: Buffer }
  | { kind: 'tooLarge' }
  | { kind: 'httpError'; status: number }
  | { kind: 'failed'; detail: string };

/**
 * The port through which services download an attached file; bot/adapters/teamsFileDownloads.ts implements it over HTTP.
 * It is only ever given URLs that passed the host check below.
 */
export interface FileDownloads {
  download(url: URL, maxBytes: number): Promise<Download>;
}

export type FileFetch = { kind: 'none' } | { kind: 'ok'; name: string; text: string } | { kind: 'problem'; problem: string };

const TOO_LARGE = 'The file is larger than 1 MB. Split the list.';

/**
 * Finds an attached CSV and downloads it. Only https URLs on SharePoint/OneDrive hosts are fetched (where Teams stores
 * files), so a crafted attachment cannot make the bot request internal addresses; in sandbox mode loopback http is
 * allowed too. The size is capped.
 */
export async function fetchAttachedCsv(
  attachments: readonly unknown[] | undefined,
  options: { downloads: FileDownloads; allowLoopback?: boolean },
): Promise<FileFetch> {
  const file = (attachments ?? []).map((a) => FileDownload.safeParse(a)).find((p) => p.success)?.data;
  if (!file) return { kind: 'none' };
  const name = file.name ?? 'attachment';
  if (!/\.csv$/i.test(name) && file.content.fileType?.toLowerCase() !== 'csv') {
    return { kind: 'problem', problem: `${name} is not a CSV file. Attach the CSV from Entra's Bulk invite template.` };
  }
  let url: URL;
  try {
    url = new URL(file.content.downloadUrl);
  } catch {
    return { kind: 'problem', problem: 'The attachment has no valid download address.' };
  }
  const sharePoint = url.protocol === 'https:' && /(^|\.)sharepoint(-df)?\.(com|us|de|cn)$/i.test(url.hostname);
  const loopback = options.allowLoopback === true && url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost');
  if (!sharePoint && !loopback) {
    return { kind: 'problem', problem: 'The file is not stored in SharePoint or OneDrive, so the bot does not download it.' };
  }
  const download = await options.downloads.download(url, MAX_FILE_BYTES);
  switch (download.kind) {
    case 'ok':
      return { kind: 'ok', name, text: download.bytes.toString('utf8') };
    case 'tooLarge':
      return { kind: 'problem', problem: TOO_LARGE };
    case 'httpError':
      return { kind: 'problem', problem: `The file could not be downloaded (HTTP ${download.status}). Attach it again.` };
    case 'failed':
      return { kind: 'problem', problem: `The file could not be downloaded (${download.detail}).` };
  }
}
