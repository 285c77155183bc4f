/** Jest runs the TypeScript sources through ts-jest as CommonJS (transpile only; `npm run typecheck` does the type checking). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', moduleResolution: 'node10', verbatimModuleSyntax: false, allowImportingTsExtensions: true, noEmit: false, isolatedModules: true }, diagnostics: false,
      // import.meta.dirname in the sources (ES modules under Node) becomes __dirname under jest's CommonJS.
      astTransformers: { before: ['<rootDir>/tests/helpers/import-meta-transformer.cjs'] } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // PostgreSQL for the storage tests: TEST_DATABASE_URL, or a temporary cluster started once per run (tests/helpers/postgres*.ts),
  // and a folder where each test file counts the answers it checked against the OpenAPI documents (tests/helpers/openapi/).
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/tests/helpers/global-teardown.ts',
  // Every app a test builds with createApp records its answers; each is checked against the app's own /openapi.json.
  setupFilesAfterEnv: ['<rootDir>/tests/helpers/openapi/setup.ts'],
};
