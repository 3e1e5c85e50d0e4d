import { describe, expect, test } from '@jest/globals';
import { logSafe, MAX_SHOWN_TEXT } from '../src/index.js';

describe('logSafe: server text in an error message', () => {
  test('control, format and separator characters become ?, so a newline cannot forge a log line', () => {
    expect(logSafe('Bad\nInjected: yes\r\u001b[31m\u202e\u2028')).toBe('Bad?Injected: yes??[31m??');
  });

  test(`text longer than ${MAX_SHOWN_TEXT} characters is cut with an ellipsis, never on half a surrogate pair`, () => {
    expect(logSafe('x'.repeat(100_000))).toBe(`${'x'.repeat(MAX_SHOWN_TEXT)}…`);
    expect(logSafe(`${'x'.repeat(9)}😀`, 10)).toBe(`${'x'.repeat(9)}…`);
    expect(logSafe('TooManyRequests')).toBe('TooManyRequests');
  });
});
