module.exports = { ...require('../../jest.preset.js'), displayName: 'type-map', rootDir: __dirname };
