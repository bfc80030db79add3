import { z } from 'zod';

/** A file a person attached in Teams: the bot gets a short-lived download URL for it. */
const FileDownload = z.object({
  contentType: z.literal('application/vnd.microsoft.teams.file.download.info'),
  name: z.string().optional(),
  content: z.object({ downloadUrl: z.string(), fileType: z.string().optional() }).passthrough(),
});

export const MAX_FILE_BYTES = 1024 * 1024;

export type FileFetch = { kind: 'none' } | { kind: 'ok'; name: string; text: string } | { kind: 'problem'; problem: string };

/**
 * Finds an attached CSV and downloads it. Only https URLs on SharePoint/OneDrive hosts are fetched (where Teams stores
 * files), so a crafted attachment cannot make the bot request internal addresses; in sandbox mode loopback http is
 * allowed too. The size is capped.
 */
export async function fetchAttachedCsv(
  attachments: readonly unknown[] | undefined,
  options: { allowLoopback?: boolean; timeoutMs?: number } = {},
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
  try {
    const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    if (!response.ok) return { kind: 'problem', problem: `The file could not be downloaded (HTTP ${response.status}). Attach it again.` };
    const length = Number(response.headers.get('content-length') ?? '0');
    if (length > MAX_FILE_BYTES) return { kind: 'problem', problem: 'The file is larger than 1 MB. Split the list.' };
    const buffer = Buffer.from(await response.arrayBuffer());
    if (buffer.length > MAX_FILE_BYTES) return { kind: 'problem', problem: 'The file is larger than 1 MB. Split the list.' };
    return { kind: 'ok', name, text: buffer.toString('utf8') };
  } catch (error) {
    return { kind: 'problem', problem: `The file could not be downloaded (${error instanceof Error ? error.message : String(error)}).` };
  }
}
