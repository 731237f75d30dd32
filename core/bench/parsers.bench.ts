// Lines per second of each parser on synthetic lines, or on a file given as
// `node dist/bench/parsers.bench.js <parser> <file>` (e.g. a loghub sample). Each format is
// also read by `auto` (the format detector), and the cost ratio auto / parser is printed: on
// a one-format file it should stay at most AUTO_MAX_RATIO.
import { readFileSync } from 'node:fs';
import { defaultStartPattern, MultilineJoiner } from '../src/parsers/multiline-joiner.js';
import { getParser, isParserName, type ParserName } from '../src/parsers/parsers.js';

const LINES = 200_000;
const ROUNDS = 3;

/** Most `auto` may cost over the one parser that reads a file's format. */
const AUTO_MAX_RATIO = 1.3;

const SYNTHETIC: Record<Exclude<ParserName, 'auto'>, (i: number) => string> = {
  json: (i) =>
    `{"level":${i % 7 === 0 ? 50 : 30},"time":${1700000000000 + i},"pid":4242,"hostname":"web-1","msg":"request ${i} done","statusCode":${i % 7 === 0 ? 503 : 200}}`,
  apache: (i) =>
    `10.0.${i % 256}.${i % 200} - - [10/Oct/2000:13:55:36 -0700] "GET /products/${i}?ref=home HTTP/1.1" ${i % 9 === 0 ? 500 : 200} ${i * 3} "https://shop.example.com/" "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"`,
  nginx: (i) =>
    `10.0.${i % 256}.${i % 200} - - [10/Oct/2000:13:55:36 +0000] "POST /api/orders/${i} HTTP/1.1" 404 0 "-" "curl/8.0"`,
  log4j: (i) =>
    i % 2 === 0
      ? `2015-10-18 18:01:47,978 INFO [RMCommunicator Allocator] org.apache.hadoop.mapreduce.v2.app.rm.RMContainerAllocator: Recalculating schedule, headroom=<memory:${i}, vCores:-17>`
      : `2015-07-29 17:41:44,747 - WARN  [SendWorker:188978561024:QuorumCnxManager$SendWorker@688] - Send worker ${i} leaving thread`,
  apacheError: (i) =>
    `[Sun Dec 04 04:47:44 2005] [error] [client 222.166.160.${i % 256}] Directory index forbidden by rule: /var/www/html/${i}`,
  syslog: (i) =>
    i % 2 === 0
      ? `<${i % 2 === 0 ? 11 : 14}>1 2024-05-01T12:00:${String(i % 60).padStart(2, '0')}.003Z web-${i % 9} api ${i} ID47 [meta@1 req="${i}"] request ${i} failed`
      : `Jun 14 15:16:01 combo sshd(pam_unix)[${i}]: authentication failure; logname= uid=0 rhost=10.0.0.${i % 256}`,
  raw: (i) => `line ${i} of plain text`,
};

/** Best seconds over ROUNDS for one parser over the lines; logs lines/s. */
function measure(name: ParserName, lines: readonly string[], label: string = name): number {
  const parse = getParser(name, {}); // a fresh parser: what it learns of one file stays there
  let best = Infinity;
  let failed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    failed = 0;
    const started = process.hrtime.bigint();
    for (const line of lines) if (parse(line).parseError === true) failed++;
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  const perSecond = Math.round(lines.length / best).toLocaleString('en');
  console.log(`${label}: ${perSecond} lines/s (${lines.length} lines, ${failed} unparsed)`);
  return best;
}

/** The parser and `auto` on the same lines, and the ratio of their costs. */
function measureWithAuto(name: ParserName, lines: readonly string[]): void {
  const single = measure(name, lines);
  if (name === 'auto') return;
  const auto = measure('auto', lines, `  auto on ${name} lines`);
  const ratio = auto / single;
  // raw's own parser does nothing; auto also looks for a level word in every raw line.
  const bound = name === 'raw' ? 'not bounded: raw does no work' : `limit ${AUTO_MAX_RATIO}`;
  const verdict = name !== 'raw' && ratio > AUTO_MAX_RATIO ? ' OVER' : '';
  console.log(`  auto / ${name}: ${ratio.toFixed(2)}x (${bound})${verdict}`);
}

function measureJoiner(lines: readonly string[]): void {
  const started = process.hrtime.bigint();
  const joiner = new MultilineJoiner({ startPattern: defaultStartPattern('log4j')! });
  for (const line of lines) joiner.push(line);
  joiner.flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `multiline joiner (log4j): ${Math.round(lines.length / seconds).toLocaleString('en')} lines/s`,
  );
}

const [nameArg, file] = process.argv.slice(2);
if (nameArg !== undefined && file !== undefined) {
  if (!isParserName(nameArg)) throw new Error(`unknown parser ${nameArg}`);
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l !== '');
  const repeated = Array.from({ length: Math.ceil(LINES / lines.length) }, () => lines).flat();
  measureWithAuto(nameArg, repeated);
} else {
  for (const name of Object.keys(SYNTHETIC) as (keyof typeof SYNTHETIC)[]) {
    measureWithAuto(
      name,
      Array.from({ length: LINES }, (_, i) => SYNTHETIC[name](i)),
    );
  }
  measureJoiner(Array.from({ length: LINES }, (_, i) => SYNTHETIC.log4j(i)));
}
