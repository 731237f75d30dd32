'use strict';
// Shared mocha settings: every package runs its compiled tests from dist/.

// Test output shows our own messages only: no AWS SDK notice about Node versions.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
module.exports = {
  recursive: true,
  timeout: 60000,
  'enable-source-maps': true,
  reporter: process.env.CI ? 'dot' : 'spec',
};
