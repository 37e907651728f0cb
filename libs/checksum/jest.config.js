module.exports = { ...require('../../jest.preset.js'), displayName: 'checksum', rootDir: __dirname };
