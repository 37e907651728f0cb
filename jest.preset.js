// Shared by every project's jest.config.js. ts-jest transpiles only (isolatedModules);
// type errors are caught by `nx run-many -t build`, which runs tsc on every project.
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['**/*.test.ts'],
};
