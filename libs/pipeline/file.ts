// `@ferry/pipeline/file`: reading pipeline files needs Node's fs, which workflow code may not
// import, so it stays out of the package's main entry.
export * from './src/file/read-pipeline-file';
