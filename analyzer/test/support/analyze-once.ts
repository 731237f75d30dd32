// Runs one analyzer iteration in its own process so tests can SIGKILL it anywhere.
// argv: <name> <stream> <checkpointsTable> <iterationsTable> <leaseMs>; prints the outcome as JSON.
import { Analyzer } from '../../src/index.js';

const [name, stream, checkpointsTable, iterationsTable, leaseMs] = process.argv.slice(2);
const analyzer = new Analyzer({
  name: name!,
  stream: stream!,
  dynamodb: { checkpointsTable: checkpointsTable!, iterationsTable: iterationsTable! },
  leaseMs: Number(leaseMs),
  minCallIntervalMs: 0,
});
try {
  const outcome = await analyzer.runIteration();
  process.stdout.write(
    JSON.stringify({ ok: true, iteration: outcome.iteration, recovered: outcome.recovered }) + '\n',
  );
} catch (err) {
  process.stdout.write(
    JSON.stringify({ ok: false, code: (err as { code?: string }).code, message: String(err) }) +
      '\n',
  );
  process.exitCode = 1;
} finally {
  analyzer.close();
}
