// Root config used by `npm test` (tools/test/run-tests.sh): every project in one jest run,
// except the fault-injection suite, which stops shared services and so runs on its own.
module.exports = {
  projects: ['<rootDir>/libs/*/jest.config.js', '<rootDir>/apps/*/jest.config.js', '<rootDir>/tests/jest.config.js'],
  reporters: ['default', '<rootDir>/tools/test/summary-reporter.js'],
};
