// Root config used by `npm test`: every project in one jest run.
module.exports = {
  projects: ['<rootDir>/libs/*/jest.config.js', '<rootDir>/apps/*/jest.config.js', '<rootDir>/tests/jest.config.js'],
  reporters: ['default', '<rootDir>/tools/test/summary-reporter.js'],
};
