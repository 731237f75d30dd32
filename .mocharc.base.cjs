'use strict';
// Shared mocha settings: every package runs its compiled tests from dist/.

// Test output shows our own messages only: no AWS SDK notice about Node versions.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
module.exports = {
  recursive: true,
  // Unit tests take milliseconds; integration suites that start processes or wait on faults set
  // their own longer bound with this.timeout().
  timeout: 15000,
  // A focused test (.only) left in a commit must not silently skip the rest on CI.
  'forbid-only': Boolean(process.env.CI),
  'enable-source-maps': true,
  reporter: process.env.CI ? 'dot' : 'spec',
};
