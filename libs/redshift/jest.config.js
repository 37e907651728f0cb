module.exports = { ...require('../../jest.preset.js'), displayName: 'redshift', rootDir: __dirname };
