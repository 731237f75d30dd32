export { LocalServicesError, LocalServicesFailures, type LocalServicesFailure } from './errors.js';
export {
  startLocalServices,
  LocalServicesDefaults,
  type LocalServices,
  type LocalServicesOptions,
} from './start-local-services.js';
export { KinesisImplementations, type KinesisImplementation } from './local-services-protocol.js';
export { localEnvironment, LocalEnvironmentDefaults } from './local-environment.js';
export { localCommand } from './local-command.js';
export { wholeKinesaliteCborAnswers } from './kinesalite-cbor-answers.js';
