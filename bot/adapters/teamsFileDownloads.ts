import type { Download, FileDownloads } from '../services/teamsFile';

/**
 * Downloads a file a person attached in Teams from the URL Teams gave (SharePoint or OneDrive). Redirects are refused, so
 * a URL that passed the service's host check cannot lead anywhere else; the size is checked before and after reading.
 */
export class HttpFileDownloads implements FileDownloads {
  constructor(private readonly options: { timeoutMs?: number } = {}) {}

  async download(url: URL, maxBytes: number): Promise<Download> {
    try {
      const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
      if (!response.ok) return { kind: 'httpError', status: response.status };
      const length = Number(response.headers.get('content-length') ?? '0');
      if (length > maxBytes) return { kind: 'tooLarge' };
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length > maxBytes) return { kind: 'tooLarge' };
      return { kind: 'ok', bytes };
    } catch (error) {
      return { kind: 'failed', detail: error instanceof Error ? error.message : String(error) };
    }
  }
}
