// Integration tests across apps and libs, against the real local stack (npm run stack:up).
module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'integration',
  rootDir: __dirname,
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/faults/'],
  // testTimeout is global-only in jest; a setup file sets it for this project alone.
  setupFilesAfterEnv: ['<rootDir>/support/jest-setup.ts'],
};
