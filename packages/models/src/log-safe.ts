/**
 * Server-provided text (an APNs `reason`, GOAWAY debug data) shown in an
 * error message must not forge log lines or flood a log.
 * @module
 */

/** C0/C1 controls, format characters (bidi overrides, zero-width), line separators, lone surrogates. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** The most characters of server-provided text a message shows (Apple's longest reason is under 30). */
export const MAX_SHOWN_TEXT = 100;

/**
 * A log-safe copy of a server-provided string for an error message: unsafe
 * characters become `?` (a newline cannot fake a log line), and it is cut
 * at `max` characters with an ellipsis (a 100 KB reason stays short). Keep
 * the original on a property for code that needs it.
 * @example
 * logSafe('Bad\nInjected: yes'); // 'Bad?Injected: yes'
 */
export function logSafe(text: string, max = MAX_SHOWN_TEXT): string {
  // Cut first: no need to scan all of a 100 KB reason.
  let cut = text.length > max ? text.slice(0, max) : text;
  // Never end on half a surrogate pair.
  if (cut.length < text.length && /[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  const clean = cut.replace(UNSAFE, '?');
  return cut.length < text.length ? `${clean}…` : clean;
}
