import { expect } from 'chai';
import { smtpUrlPasswordWarning } from '../../../src/cli/email-options.js';

describe('smtpUrlPasswordWarning', () => {
  it('warns about a password inside --smtp-url, naming the alternative, never the password', () => {
    const warning = smtpUrlPasswordWarning(
      { smtpUrl: 'smtps://reports:s3cr%40t@mail.example.com:465' },
      'kinlog report',
    );
    expect(warning).to.match(/^kinlog report: warning: the SMTP password in --smtp-url/);
    expect(warning).to.include('SMTP_PASSWORD').and.include('--smtp-user');
    expect(warning).to.not.include('s3cr');
  });

  it('says nothing for a URL without a password, or no URL', () => {
    expect(smtpUrlPasswordWarning({ smtpUrl: 'smtp://127.0.0.1:2525' }, 'kinlog analyze')).to.equal(
      undefined,
    );
    expect(smtpUrlPasswordWarning({ smtpHost: 'mail' }, 'kinlog analyze')).to.equal(undefined);
  });
});
