import { expect } from 'chai';
import { KinlogError } from '@kinlog/core';
import { loadSmtpServer } from '../../../src/demo/load-smtp-server.js';

function failingImport(code: string): () => Promise<never> {
  return () => Promise.reject(Object.assign(new Error(`cannot find ${code}`), { code }));
}

describe('loadSmtpServer', function () {
  it('loads smtp-server when it is installed', async function () {
    const module = await loadSmtpServer();
    expect(module.SMTPServer).to.be.a('function');
  });

  it('says which package to install when smtp-server is missing', async function () {
    const error: unknown = await loadSmtpServer(failingImport('ERR_MODULE_NOT_FOUND')).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).to.be.instanceOf(KinlogError);
    expect((error as KinlogError).code).to.equal('PACKAGE_MISSING');
    expect((error as KinlogError).message).to.contain(
      'kinlog demo needs the npm package smtp-server',
    );
    expect((error as KinlogError).message).to.contain('npm install smtp-server');
  });

  it('passes on any other failure to load it unchanged', async function () {
    const broken = new Error('syntax error in smtp-server');
    const error: unknown = await loadSmtpServer(() => Promise.reject(broken)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).to.equal(broken);
  });
});
