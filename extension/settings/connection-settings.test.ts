import { describe, expect, it } from 'vitest';
import { normaliseServerUrl } from './connection-settings';

describe('normaliseServerUrl', () => {
  it.each([
    ['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
    [' https://onhand.example.com/ ', 'https://onhand.example.com'],
    ['https://example.com/onhand/?x=1#y', 'https://example.com/onhand'],
  ])('%j → %j', (input, url) => {
    expect(normaliseServerUrl(input)).toEqual({ ok: true, url });
  });

  it.each(['127.0.0.1:8787', 'ftp://example.com', 'javascript:alert(1)', 'http://user:secret@example.com', ''])('refuses %j', (input) => {
    expect(normaliseServerUrl(input).ok).toBe(false);
  });
});
