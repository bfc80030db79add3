import { fetchAttachedCsv, MAX_FILE_BYTES, type Download, type FileDownloads } from '../../bot/services/teamsFile';

class RecordedDownloads implements FileDownloads {
  readonly asked: string[] = [];
  constructor(private readonly answer: Download) {}
  async download(url: URL, maxBytes: number): Promise<Download> {
    this.asked.push(`${url.href} ${maxBytes}`);
    return this.answer;
  }
}

function attachment(downloadUrl: string, name = 'partners.csv') {
  return { contentType: 'application/vnd.microsoft.teams.file.download.info', name, content: { downloadUrl, fileType: 'csv' } };
}

const SHAREPOINT = 'https://contoso.sharepoint.com/personal/a/Documents/partners.csv?tempauth=x';

describe('fetchAttachedCsv', () => {
  it('downloads a CSV stored in SharePoint through the port, capped at 1 MB', async () => {
    const downloads = new RecordedDownloads({ kind: 'ok', bytes: Buffer.from('Email address to invite\na@fabrikam.com\n') });
    const file = await fetchAttachedCsv([attachment(SHAREPOINT)], { downloads });
    expect(file).toEqual({ kind: 'ok', name: 'partners.csv', text: 'Email address to invite\na@fabrikam.com\n' });
    expect(downloads.asked).toEqual([`${SHAREPOINT} ${MAX_FILE_BYTES}`]);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data', false],
    ['https://evil.example/partners.csv', false],
    ['http://127.0.0.1:8080/partners.csv', false],
    ['https://contoso.sharepoint.com.evil.example/x.csv', false],
  ])('never asks the port to fetch %s (loopback allowed: %s)', async (url, allowLoopback) => {
    const downloads = new RecordedDownloads({ kind: 'ok', bytes: Buffer.from('') });
    const file = await fetchAttachedCsv([attachment(url)], { downloads, allowLoopback });
    expect(file).toEqual({ kind: 'problem', problem: 'The file is not stored in SharePoint or OneDrive, so the bot does not download it.' });
    expect(downloads.asked).toEqual([]);
  });

  it('fetches a loopback file only in sandbox mode', async () => {
    const downloads = new RecordedDownloads({ kind: 'ok', bytes: Buffer.from('x') });
    expect((await fetchAttachedCsv([attachment('http://127.0.0.1:8080/p.csv')], { downloads, allowLoopback: true })).kind).toBe('ok');
  });

  it.each<[Download, string]>([
    [{ kind: 'tooLarge' }, 'The file is larger than 1 MB. Split the list.'],
    [{ kind: 'httpError', status: 403 }, 'The file could not be downloaded (HTTP 403). Attach it again.'],
    [{ kind: 'failed', detail: 'fetch failed' }, 'The file could not be downloaded (fetch failed).'],
  ])('says why a download gave nothing: %o', async (answer, problem) => {
    expect(await fetchAttachedCsv([attachment(SHAREPOINT)], { downloads: new RecordedDownloads(answer) })).toEqual({ kind: 'problem', problem });
  });

  it('ignores messages without a file and refuses files that are not CSV', async () => {
    const downloads = new RecordedDownloads({ kind: 'ok', bytes: Buffer.from('') });
    expect(await fetchAttachedCsv(undefined, { downloads })).toEqual({ kind: 'none' });
    const notCsv = { ...attachment(SHAREPOINT, 'list.xlsx'), content: { downloadUrl: SHAREPOINT } };
    expect((await fetchAttachedCsv([notCsv], { downloads })).kind).toBe('problem');
    expect(downloads.asked).toEqual([]);
  });
});
