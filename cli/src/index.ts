export {};
export { kinlogProgram, kinlogSubcommands, type SubcommandFactory } from './kinlog-program.js';
