'use strict';
// Shared mocha settings: every package runs its compiled tests from dist/.
module.exports = {
  recursive: true,
  timeout: 60000,
  'enable-source-maps': true,
  reporter: process.env.CI ? 'dot' : 'spec',
};
