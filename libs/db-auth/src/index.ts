export { DbCredentials, type DbLogin, type DbCredentialsOptions } from './db-credentials';
export { AuthFailureType, RENEW_AWS_CREDENTIALS, describeAwsFailure } from './aws-failure';
export { regionFor } from './region';
