export {};
export { kinlogProgram, kinlogSubcommands, type SubcommandFactory } from './kinlog-program.js';
export { cliVersion } from './cli-version.js';
export { demoCommand } from './demo/demo-command.js';
export { resolveDemoOptions, DemoDefaults, type DemoOptions } from './demo/demo-options.js';
export { runDemo, type DemoResult } from './demo/run-demo.js';
export { DemoIncidents, FAILING_PAGES, type DemoIncident } from './demo/demo-incidents.js';
export { CliReference, renderCliReference, withCliReference } from './docs/cli-reference.js';
