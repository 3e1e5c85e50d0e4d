import { describe, expect, it } from '@jest/globals';
import { MissingDependencyError } from '../src/index.js';
import { toPkcs12 } from '../src/pkcs12.js';

// node-forge is an optional peer dependency used only for PKCS#12; these
// simulate an install without it (the bundle itself is tested in cert-auth).
describe('PKCS#12 without node-forge', () => {
  const pair = { cert: 'unused', key: 'unused' };

  it('throws a typed MissingDependencyError naming the package and the PEM alternative', () => {
    const missing = (): never => {
      throw Object.assign(new Error("Cannot find module 'node-forge'"), { code: 'MODULE_NOT_FOUND' });
    };
    const error = ((): unknown => {
      try {
        toPkcs12(pair, 'secret-passphrase', missing);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect(error).toMatchObject({ code: 'ERR_PUSHWIRE_MOCK_MISSING_DEPENDENCY', dependency: 'node-forge' });
    expect((error as Error).message).toMatch(/node-forge.*format: 'pem'/);
    expect((error as Error).message).not.toContain('secret-passphrase');
  });

  it('lets other load failures through unchanged', () => {
    const broken = new Error('broken install');
    expect(() =>
      toPkcs12(pair, '', () => {
        throw broken;
      }),
    ).toThrow(broken);
  });
});
