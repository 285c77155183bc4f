/** Jest runs the TypeScript sources through ts-jest as CommonJS (transpile only; `npm run typecheck` does the type checking). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', moduleResolution: 'node10', verbatimModuleSyntax: false, allowImportingTsExtensions: true, noEmit: false, isolatedModules: true }, diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // PostgreSQL for the storage tests: TEST_DATABASE_URL, or a temporary cluster started once per run (tests/helpers/postgres*.ts).
  globalSetup: '<rootDir>/tests/helpers/postgres-global-setup.ts',
  globalTeardown: '<rootDir>/tests/helpers/postgres-global-teardown.ts',
};
