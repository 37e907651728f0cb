// The fault-injection suite alone: `faults` (each file breaks only its own run) and `outages`
// (files that stop shared services). tools/test/run-tests.sh runs them as two jest runs; run one
// file with --runInBand --testPathPatterns <name>.
module.exports = {
  projects: ['<rootDir>/tests/faults/jest.config.js', '<rootDir>/tests/faults/jest.outage.config.js'],
  reporters: ['default', '<rootDir>/tools/test/summary-reporter.js'],
};
