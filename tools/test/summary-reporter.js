// Prints one closing line in the plain form CI tools read: "tests: N passed, N failed".
// When FERRY_TEST_SUMMARY names a file, the counts are appended there instead, so
// tools/test/run-tests.sh can print one line for several jest runs.
const { appendFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const passed = results.numPassedTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    if (process.env.FERRY_TEST_SUMMARY) {
      appendFileSync(process.env.FERRY_TEST_SUMMARY, `${passed} ${failed} ${skipped}\n`);
    } else {
      console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
    }
  }
}
module.exports = SummaryReporter;
