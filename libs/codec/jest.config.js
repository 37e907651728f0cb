module.exports = { ...require('../../jest.preset.js'), displayName: 'codec', rootDir: __dirname };
