// Integration tests across apps and libs, against the real local stack (npm run stack:up).
module.exports = { ...require('../jest.preset.js'), displayName: 'integration', rootDir: __dirname, testTimeout: 180_000 };
