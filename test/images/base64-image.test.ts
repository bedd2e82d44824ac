/**
 * decodeBase64Image takes exactly standard base64 (whitespace ignored):
 * its quick check of a clean string must accept and refuse what the
 * character-by-character rule does, for every kind of string a client sends.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBase64Image } from '../../dist/src/images/image-input.js';

/** The rule, written plainly: whitespace removed, length a multiple of 4, the standard alphabet, at most two `=` at the end. */
function byTheRule(text: string): string | 'refused' {
  const clean = text.replace(/\s+/g, '');
  if (clean.length === 0 || clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return 'refused';
  return Buffer.from(clean, 'base64').toString('hex');
}

function decoded(text: string): string | 'refused' {
  try {
    return Buffer.from(decodeBase64Image('image.base64', text)).toString('hex');
  } catch (e) {
    expect((e as { code?: string }).code).toBe('INVALID_INPUT');
    return 'refused';
  }
}

describe('decodeBase64Image', () => {
  it('accepts and refuses what the rule does', () => {
    const samples = [
      'QUJD',
      'QUI=',
      'QQ==',
      'Q===',
      '====',
      'QU=D',
      'QUJ',
      'QU-D',
      'QU_D',
      'QU!D',
      'QUJD\nQUJD',
      ' QUJD ',
      'QUJD\r\n',
      'QUJDé===',
      '',
      '   ',
    ];
    for (let i = 0; i < 200; i++) {
      const text = randomBytes(1 + (i % 40)).toString('base64');
      samples.push(text, text.replace(/=+$/, ''), text.slice(0, -1), `${text.slice(0, 2)}*${text.slice(3)}`, text.replace(/\+/g, '-'));
    }
    for (const text of samples) expect(decoded(text), JSON.stringify(text)).toBe(byTheRule(text));
  });
});
