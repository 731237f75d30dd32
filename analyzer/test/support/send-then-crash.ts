// Sends an iteration's report and SIGKILLs itself as soon as the SMTP server accepted it, before
// the iteration is marked sent: the crash window of the at-most-once design.
// argv: <name> <iteration> <iterationsTable> <smtpPort> <to>
import { sendIterationReport } from '../../src/report-delivery/send-iteration-report.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const [name, iteration, iterationsTable, port, to] = process.argv.slice(2);
await sendIterationReport({
  name: name!,
  iteration: Number(iteration),
  to: [to!],
  smtp: { host: '127.0.0.1', port: Number(port), secure: false, requireTls: false },
  dynamodb: { iterationsTable: iterationsTable! },
  onSent: () => process.kill(process.pid, 'SIGKILL'),
});
process.stdout.write('not killed\n');
