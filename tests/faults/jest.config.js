// Fault injection: stops and restarts shared services, so tools/test/run-tests.sh runs this
// project alone, after the others, one file at a time (--runInBand).
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'faults',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/../support/jest-setup.ts'],
};
