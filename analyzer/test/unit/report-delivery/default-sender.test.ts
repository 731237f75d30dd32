import { expect } from 'chai';
import { defaultSender } from '../../../src/report-delivery/default-sender.js';

describe('defaultSender', () => {
  it('is the SMTP user when that is an address, else kinlog at the host', () => {
    expect(defaultSender('reports@example.com', 'web-1')).to.equal('reports@example.com');
    expect(defaultSender('AKIAEXAMPLE', 'web-1.example.com')).to.equal('kinlog@web-1.example.com');
    expect(defaultSender('ana@localhost', 'web-1')).to.equal('kinlog@web-1');
    expect(defaultSender(undefined, 'web-1')).to.equal('kinlog@web-1');
  });
});
