/**
 * #16: one name per concept through the tiers (and the queue built on
 * them), written down in docs/glossary.md. This walks every tier's public surface with the
 * TypeScript compiler (each package's `src/index.ts`) and checks both ways:
 * - every name found is in the glossary: each exported type, each property
 *   of each exported `*Options` interface (inherited ones included), each
 *   event of an exported class's typed `on()`;
 * - every name the glossary lists exists where it says.
 * A new or renamed option therefore fails here until the table says what it
 * is. Types declared in `errors.ts` / `reasons.ts` belong to docs/errors.md
 * instead (they may still be named here); re-exports are counted once, in
 * the tier that declares them.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The tiers, bottom up, then the queue (campaigns on the api). */
const TIERS = ['models', 'connection', 'pool', 'api', 'queue'] as const;
/** Files whose types docs/errors.md covers (errors, codes, APNs reasons): not walked here. */
const ERRORS_DOC = new Set(['errors.ts', 'reasons.ts']);

/**
 * A name and where it lives, as the glossary writes it:
 * `tier:Type` (an exported type), `tier:Type.option` (an option),
 * `tier:Class@event` (an event).
 */
type Locator = string;

/** What each tier's `src/index.ts` exports: `walked` must be in the glossary, `all` may be. */
function walk(): { walked: Set<Locator>; all: Set<Locator> } {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.test.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (config === undefined) throw new Error('tsconfig.test.json did not parse');
  const entries = TIERS.map((tier) => join(ROOT, 'packages', tier, 'src', 'index.ts'));
  const program = ts.createProgram(entries, config.options);
  const checker = program.getTypeChecker();
  const walked = new Set<Locator>();
  const all = new Set<Locator>();
  TIERS.forEach((tier, i) => {
    const home = `${join(ROOT, 'packages', tier, 'src')}${sep}`;
    const index = program.getSourceFile(entries[i] as string);
    if (index === undefined) throw new Error(`no ${entries[i]}`);
    for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(index) as ts.Symbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declaration = symbol.declarations?.[0];
      if (declaration === undefined) continue;
      // Counted where it is declared: a re-export is the lower tier's name.
      const file = ts.sys.resolvePath(declaration.getSourceFile().fileName);
      const own = file.startsWith(home) && !ERRORS_DOC.has(basename(file));
      const add = (locator: Locator): void => {
        all.add(locator);
        if (own) walked.add(locator);
      };
      const name = exported.name;
      if (ts.isInterfaceDeclaration(declaration) || ts.isTypeAliasDeclaration(declaration)) {
        add(`${tier}:${name}`);
        if (name.endsWith('Options')) {
          for (const property of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))) add(`${tier}:${name}.${property.name}`);
        }
      } else if (ts.isClassDeclaration(declaration)) {
        for (const member of declaration.members) {
          if (!ts.isMethodDeclaration(member) || member.name.getText() !== 'on') continue;
          const event = member.parameters[0]?.type;
          if (event !== undefined && ts.isLiteralTypeNode(event) && ts.isStringLiteral(event.literal)) add(`${tier}:${name}@${event.literal.text}`);
        }
      }
    }
  });
  return { walked, all };
}

/** The locators of docs/glossary.md: every backticked `tier:…` in a table's last column. */
function glossary(): Set<Locator> {
  const text = readFileSync(join(ROOT, 'docs', 'glossary.md'), 'utf8');
  const locators = new Set<Locator>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) continue;
    const where = line.split('|').at(-2) ?? '';
    for (const [, locator] of where.matchAll(/`((?:models|connection|pool|api|queue):[\w.@-]+)`/g)) locators.add(locator as string);
  }
  return locators;
}

describe('docs/glossary.md matches the public surface of every tier', () => {
  const { walked, all } = walk();
  const listed = glossary();

  test('the walk finds the surface (options, types, events of each tier)', () => {
    for (const locator of [
      'api:ClientOptions.connections',
      'api:ClientOptions.topic',
      'pool:PoolOptions.connections',
      'connection:PingOptions.interval',
      'connection:Connection@free',
      'models:NotificationOptions.topic',
      'queue:WorkerOptions.concurrency',
      'queue:WorkerOptions.jobConcurrency',
    ]) {
      expect(walked).toContain(locator);
    }
  });

  test('every public name is in the glossary', () => {
    expect([...walked].filter((locator) => !listed.has(locator)).sort()).toEqual([]);
  });

  test('every name in the glossary exists where it says', () => {
    expect([...listed].filter((locator) => !all.has(locator)).sort()).toEqual([]);
  });
});
