/** libpq's sslmode values ferry implements; allow and prefer are left out on purpose (see the schema's message). */
export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];
