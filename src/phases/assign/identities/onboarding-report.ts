/** Where `assign` writes the report, relative to the workspace. */
export const ONBOARDING_REPORT_PATH = 'reports/onboarding.md';

/** A user created by this run, as the report needs it. */
export interface OnboardingUser {
  userName: string;
  displayName: string;
  email: string;
}

export interface OnboardingOptions {
  identityStoreId: string;
  /** The portal URL when known (a custom subdomain); the default format otherwise. */
  portalUrl?: string;
  /** ISO timestamp written into the header. */
  generatedAt: string;
}

/**
 * The default AWS access portal URL of an instance: `https://<identityStoreId>.awsapps.com/start`.
 * An instance whose administrator chose a custom subdomain answers at
 * `https://<subdomain>.awsapps.com/start` instead, and no API returns that subdomain, so the
 * caller passes the real URL when it differs.
 */
export function defaultAccessPortalUrl(identityStoreId: string): string {
  return `https://${identityStoreId}.awsapps.com/start`;
}

/** Markdown must not turn a user name like `jane_doe*` into emphasis. */
function escapeCell(text: string): string {
  return text.replace(/[\\`*_|<>[\]]/g, (c) => `\\${c}`);
}

/**
 * `reports/onboarding.md`: what to send each user this run created. Users created through the API
 * get no invitation email from AWS, so without this they would not know they have access, nor how
 * to set a first password. Pure; the caller writes the file.
 */
export function renderOnboardingReport(users: readonly OnboardingUser[], options: OnboardingOptions): string {
  const portal = options.portalUrl ?? defaultAccessPortalUrl(options.identityStoreId);
  const lines = [
    '# Onboarding: new IAM Identity Center users',
    '',
    `Generated ${options.generatedAt} for identity store ${options.identityStoreId}.`,
    '',
  ];
  if (users.length === 0) {
    lines.push('This run created no user, so there is nobody to onboard.', '');
    return lines.join('\n');
  }
  lines.push(
    'These users were created through the API, which sends **no invitation email**. Send each of them',
    'the access portal URL and their user name, and make sure they can set a password (below).',
    '',
    `Access portal: ${portal}`,
    '',
    '| User name | Name | Email |',
    '| --- | --- | --- |',
    ...[...users].sort((a, b) => a.userName.localeCompare(b.userName)).map((u) => `| ${escapeCell(u.userName)} | ${escapeCell(u.displayName)} | ${escapeCell(u.email)} |`),
    '',
    '## Setting a first password',
    '',
    'Either way works; the first needs an administrator, the second only the user:',
    '',
    '1. An administrator opens IAM Identity Center in the AWS console, Users, the user, then',
    '   **Reset password** and chooses **Send an email to the user with instructions to reset the password**.',
    '   Alternatively, enable **Send email OTP for users created from API** (Settings, Authentication) before',
    '   the users first sign in: they then receive a one-time password by email.',
    `2. The user opens ${portal}, enters their user name, and chooses **Forgot password**: a reset link`,
    '   goes to their email address, which is why every user is created with one.',
    '',
    '## Message to send',
    '',
    '```text',
    'You now sign in to AWS through IAM Identity Center instead of an IAM user.',
    `Portal:    ${portal}`,
    'User name: <user name from the table>',
    'Set your password with "Forgot password" on the portal (the link goes to your work email),',
    'then register an MFA device when asked. Your old IAM user will be disabled later.',
    '```',
    '',
  );
  return lines.join('\n');
}
