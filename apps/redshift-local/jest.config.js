module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'redshift-local',
  rootDir: __dirname,
  // test/ talks to the real PostgreSQL and MinIO: minutes, not jest's 5 s.
  setupFilesAfterEnv: ['<rootDir>/../../tests/support/jest-setup.ts'],
};
