module.exports = { ...require('../../jest.preset.js'), displayName: 'db-auth', rootDir: __dirname };
