import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { uploadOk } from '../support/requests.js';
import { modelZip } from '../support/zips.js';

interface Entry {
  action: string;
  date: string;
  user: { name: string };
  artifact: { id: string };
}

describe('the audit trail of an artifact', () => {
  const pageSize = 4;
  const downloads = 9;
  let t: TestApp;
  let token: string;
  let id: string;

  beforeAll(async () => {
    t = await startTestApp({ PAGE_SIZE: String(pageSize) });
    token = await t.token();
    id = await uploadOk(t.app, token, 'audited', await modelZip('audited'));
    for (let i = 0; i < downloads; i++) {
      const download = await t.app.inject({
        url: `/download/model/${id}`,
        headers: { 'x-authorization': token },
      });
      expect(download.statusCode).toBe(200);
    }
  });
  afterAll(() => t.close());

  const auditPage = (offset?: string) =>
    t.app.inject({
      url: `/artifact/model/${id}/audit${offset === undefined ? '' : `?offset=${encodeURIComponent(offset)}`}`,
      headers: { 'x-authorization': token },
    });

  it('lists the newest entries first, one page at a time, following the offset header', async () => {
    const pages: Entry[][] = [];
    let offset: string | undefined;
    do {
      const page = await auditPage(offset);
      expect(page.statusCode, page.body).toBe(200);
      pages.push(page.json() as Entry[]);
      offset = page.headers.offset as string | undefined;
    } while (offset !== undefined && pages.length < 10);

    expect(pages.map((page) => page.length)).toEqual([4, 4, 2]);
    const entries = pages.flat();
    expect(entries.map((entry) => entry.action)).toEqual([...Array(downloads).fill('DOWNLOAD'), 'CREATE']);
    const dates = entries.map((entry) => Date.parse(entry.date));
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    expect(entries.every((entry) => entry.artifact.id === id)).toBe(true);
  });

  it('keeps older pages stable while new entries are recorded', async () => {
    const first = await auditPage();
    const cursor = first.headers.offset as string;
    const download = await t.app.inject({
      url: `/download/model/${id}`,
      headers: { 'x-authorization': token },
    });
    expect(download.statusCode).toBe(200);
    const second = await auditPage(cursor);
    expect((second.json() as Entry[]).map((entry) => entry.action)).toEqual([
      'DOWNLOAD',
      'DOWNLOAD',
      'DOWNLOAD',
      'DOWNLOAD',
    ]);
    expect((await auditPage()).json()[0].action).toBe('DOWNLOAD');
  });

  it('answers 400 for an offset it did not issue', async () => {
    const response = await auditPage('not-a-cursor');
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('BAD_REQUEST');
  });
});
