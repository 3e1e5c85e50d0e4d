/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// Tests run from TypeScript sources: @swc/jest strips types (fast, no type
// checks; `tsc -p tsconfig.test.json` does those) and emits ESM, because
// p-queue and p-retry are ESM-only. Jest needs --experimental-vm-modules.
const config: Config = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  moduleNameMapper: {
    '^@pushwire/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: false },
          target: 'es2022',
        },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  testTimeout: 30_000,
  // Tests start real servers; two workers match the 2-core CI machine.
  maxWorkers: 2,
};

export default config;
