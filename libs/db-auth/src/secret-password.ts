import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, type Named } from '@ferry/config';
import { AuthFailureType, describeAwsFailure } from './aws-failure';

/**
 * The password stored in a Secrets Manager secret: the `password` key of a JSON secret (the
 * shape RDS-managed and rotated secrets have), or the whole string of a plain one.
 */
export async function secretPassword(client: SecretsManagerClient, c: Named): Promise<string> {
  const id = c.passwordSecret!;
  const subject = `passwordSecret ${JSON.stringify(id)}`;
  let value: string | undefined;
  try {
    value = (await client.send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
  } catch (err) {
    throw describeAwsFailure(err, c, { action: 'secretsmanager:GetSecretValue', subject });
  }
  if (value === undefined) {
    throw new ConfigError(`${subject} is a binary secret: store the password as a string, or as JSON with a "password" key`, AuthFailureType.databaseAuth);
  }
  if (!value.trimStart().startsWith('{')) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // Not JSON after all (a password may begin with "{"): the plain string is the password.
    return value;
  }
  const password = (parsed as { password?: unknown }).password;
  if (typeof password !== 'string' || password === '') {
    // The keys are named, never the values: they may be secrets too.
    const keys =
      Object.keys(parsed as object)
        .map((k) => JSON.stringify(k))
        .join(', ') || 'none';
    throw new ConfigError(
      `${subject} is JSON without a "password" string (its keys: ${keys}): add one, or store the password as a plain string`,
      AuthFailureType.databaseAuth,
    );
  }
  return password;
}
