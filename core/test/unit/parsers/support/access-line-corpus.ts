import { pick, seededRandom, type RandomSource } from '../../../../src/random/seeded-random.js';

/** Access lines as servers write them: common, combined, nginx extras, odd request lines. */
export const REAL_ACCESS_LINES: readonly string[] = [
  '203.0.113.9 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?x=1&y=2 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
  '192.168.1.20 - - [01/Mar/2024:00:30:00 +0100] "POST /api/orders HTTP/1.1" 503 -',
  '2001:db8::1 - - [17/May/2015:08:05:32 +0000] "GET /downloads/product_1 HTTP/1.1" 404 318 "-" "Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)" "10.1.2.3" 0.003\r',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /a HTTP/1.1" 502 12 "-" "curl/8" rt=0.412 uct="0.001" urt="0.410" req-7f3a',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /a HTTP/1.1" 200 12 0.004',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /a HTTP/1.1" 200 12 "-" "x"  ',
  '66.249.66.1 - - [5/Jan/2024:03:04:05 +05:30] "\\x16\\x03\\x01\\x00\\xa5\\x01" 400 157 "-" "-"',
  '66.249.66.1 - - [05/Jan/2024:03:04:05 -0000] "-" 408 0 "-" "-"',
  '66.249.66.1 - - [05/Jan/2024:03:04:05 +0000] "GET /x" 200 1',
  '66.249.66.1 - bob [29/Feb/2024:23:59:60 +14:00] "PROPFIND /dav/ HTTP/1.1" 207 512 "" ""',
  '10.1.2.3 - - [10/Oct/2024:13:00:00 +0000] "GET /api/items/1?id=1&page=1&ref=campaign-2024-autumn HTTP/1.1" 200 1001 "https://shop.example.com/" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"',
  '10.1.2.3 - - [10/Oct/2024:13:00:00 +0000] "GET /s?q=\\"quoted\\"&x=\\\\ HTTP/1.1" 200 10 "https://r.example/\\"" "agent \\"with\\" quotes"',
  '10.1.2.3 - - [10/Oct/2024:13:00:00 +0000] "GET /caf\u00e9/\u65e5\u672c HTTP/1.1" 200 10 "-" "Bot/\u00e9\u{1f600}"',
];

/** Characters that change how a line reads: separators, escapes, other whitespace, surrogates. */
const TRICKY = [
  ' ',
  '"',
  '\\',
  '\\"',
  '\t',
  '\n',
  '\r',
  '\v',
  '\f',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2028',
  '\u2029',
  '\u3000',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\u{1f600}',
  '\u00e9',
  '-',
  '0',
  '9',
  '[',
  ']',
  ':',
  '/',
  '+',
  'a',
  'Z',
  ' "',
  '" ',
  '  ',
];

/** One mutation of `line`: a tricky character inserted, a character deleted or replaced. */
function mutate(random: RandomSource, line: string): string {
  const at = Math.floor(random() * (line.length + 1));
  const roll = random();
  if (roll < 0.45) return line.slice(0, at) + pick(random, TRICKY) + line.slice(at);
  if (roll < 0.7) return line.slice(0, at) + line.slice(at + 1);
  return line.slice(0, at) + pick(random, TRICKY) + line.slice(at + 1);
}

/**
 * The real lines, then `count` of them mutated one to four times (reproducibly, from `seed`):
 * hostile input next to the grammar's every edge.
 */
export function accessLineCorpus(count: number, seed = 7): string[] {
  const random = seededRandom(seed);
  const lines = [...REAL_ACCESS_LINES];
  for (let i = 0; i < count; i++) {
    let line = pick(random, REAL_ACCESS_LINES);
    const mutations = 1 + Math.floor(random() * 4);
    for (let m = 0; m < mutations; m++) line = mutate(random, line);
    lines.push(line);
  }
  return lines;
}
