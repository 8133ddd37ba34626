import { describe, expect, it } from 'vitest';
import { defaultAccessPortalUrl, renderOnboardingReport } from '../../../src/phases/assign/identities/onboarding-report.js';
import { STORE_ID } from './fixtures.js';

const generatedAt = '2025-01-01T00:00:00.000Z';

describe('renderOnboardingReport', () => {
  it('Given new users, When rendered, Then each has a row with the user name and the report gives the portal URL and how to set a password', () => {
    const md = renderOnboardingReport(
      [
        { userName: 'jane.doe', displayName: 'Jane Doe', email: 'jane@corp.example' },
        { userName: 'bob_lee', displayName: 'Bob Lee', email: 'bob@corp.example' },
      ],
      { identityStoreId: STORE_ID, generatedAt },
    );
    expect(md).toContain(`Access portal: https://${STORE_ID}.awsapps.com/start`);
    expect(md).toContain('| jane.doe | Jane Doe | jane@corp.example |');
    expect(md).toContain('| bob\\_lee | Bob Lee | bob@corp.example |');
    expect(md.indexOf('bob\\_lee')).toBeLessThan(md.indexOf('jane.doe'));
    expect(md).toContain('no invitation email');
    expect(md).toContain('Forgot password');
    expect(md).toContain('Reset password');
  });

  it('Given a custom portal URL, When rendered, Then it is used instead of the default', () => {
    const md = renderOnboardingReport([{ userName: 'a', displayName: 'A B', email: 'a@x.example' }], { identityStoreId: STORE_ID, portalUrl: 'https://corp.awsapps.com/start', generatedAt });
    expect(md).toContain('https://corp.awsapps.com/start');
    expect(md).not.toContain(defaultAccessPortalUrl(STORE_ID));
  });

  it('Given no new user, When rendered, Then the report says there is nobody to onboard', () => {
    expect(renderOnboardingReport([], { identityStoreId: STORE_ID, generatedAt })).toContain('nobody to onboard');
  });
});
