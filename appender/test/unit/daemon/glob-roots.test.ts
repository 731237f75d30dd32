import { expect } from 'chai';
import { globRoots } from '../../../src/daemon/glob-roots.js';

describe('globRoots', () => {
  it('globs each pattern from the directory before its first glob segment', () => {
    expect(
      globRoots(
        [
          '/var/log/nginx/access.log*',
          '/var/log/nginx/error.log',
          '/srv/*/logs/app.log',
          'logs/*.log',
        ],
        '/opt/x',
      ),
    ).to.deep.equal([
      { root: '/var/log/nginx', patterns: ['access.log*', 'error.log'] },
      { root: '/srv', patterns: ['*/logs/app.log'] },
      { root: '/opt/x/logs', patterns: ['*.log'] },
    ]);
  });

  it('a glob in the first segment is globbed from /', () => {
    expect(globRoots(['/*/app.log'], '/')).to.deep.equal([{ root: '/', patterns: ['*/app.log'] }]);
  });
});
