// `npm run test:unit`: every pure test — `src/**/*.test.ts` of each lib and app — with no
// service up, in seconds. Tests that need a process (a database, the dev server) live in a
// project's test/ folder, in tests/, or are named *.integration.test.ts; `npm test` runs them all.
const { existsSync, readdirSync } = require('node:fs');
const path = require('node:path');

const configs = ['libs', 'apps'].flatMap((dir) =>
  readdirSync(path.join(__dirname, dir))
    .map((name) => path.join(__dirname, dir, name, 'jest.config.js'))
    .filter((file) => existsSync(file)),
);

module.exports = {
  projects: configs.map((file) => ({
    ...require(file),
    testMatch: ['<rootDir>/src/**/*.test.ts'],
    testPathIgnorePatterns: ['\\.integration\\.test\\.ts$'],
  })),
  reporters: ['default', '<rootDir>/tools/test/summary-reporter.js'],
};
