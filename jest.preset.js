// Shared by every project's jest.config.js. ts-jest transpiles only (isolatedModules is set
// in tsconfig.base.json); type errors are caught by tsc (`npm test` and `nx run-many -t build`).
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['**/*.test.ts'],
};
