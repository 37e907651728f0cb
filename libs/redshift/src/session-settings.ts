/**
 * What every source session runs under, whatever the cluster's or user's defaults, so that
 * dates and times read and print alike everywhere (libs/postgres pins the same for targets).
 * Redshift has only these two of the four (AWS, "Configuration reference": datestyle, timezone).
 */
export const redshiftSessionSettings: readonly string[] = [`SET DateStyle TO 'ISO, MDY'`, `SET TimeZone TO 'UTC'`];
