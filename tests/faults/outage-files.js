// The fault files that stop shared services (MinIO, the Temporal server): run alone, after the rest.
module.exports = ['outage.test.ts', 'many-workers.test.ts'];
