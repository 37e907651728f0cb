// The fault-injection suite alone; tools/test/run-tests.sh runs it with --runInBand.
module.exports = {
  projects: ['<rootDir>/tests/faults/jest.config.js'],
  reporters: ['default', '<rootDir>/tools/test/summary-reporter.js'],
};
