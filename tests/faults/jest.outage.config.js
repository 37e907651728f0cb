// Fault injection that stops shared services (MinIO, the Temporal server) under a run: every
// other test would see the outage too, so tools/test/run-tests.sh runs these alone, one file at
// a time (--runInBand), after everything else.
const OUTAGE_FILES = require('./outage-files');
const faults = require('./jest.config.js');

module.exports = {
  ...faults,
  displayName: 'outages',
  testPathIgnorePatterns: ['/node_modules/'],
  testMatch: OUTAGE_FILES.map((f) => `**/${f}`),
};
