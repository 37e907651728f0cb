// Fault injection that breaks only its own run (kills its own worker, terminates its own
// sessions): tools/test/run-tests.sh runs it after the other projects, two files at a time —
// most of their time is waiting out a heartbeat timeout. The files that stop shared services
// are jest.outage.config.js's.
const OUTAGE_FILES = require('./outage-files');

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'faults',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/../support/jest-setup.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...OUTAGE_FILES.map((f) => `/${f.replace(/\./g, '\\.')}$`)],
};
