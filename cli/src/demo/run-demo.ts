/*
 *   local Kinesis + DynamoDB (child process) · SMTP capture (in-process)
 *        │
 *   stream (2 shards) + tables ─▶ 3 phases of traffic:
 *        winston app ─▶ KinesisTransport ──────────┐
 *        pino app ────▶ pino transport (worker) ───┼─▶ stream ─▶ Analyzer.runIteration()
 *        nginx access.log ─▶ ShipDaemon (tail) ────┘              │ top-10 table + saved query
 *        (phase 2 splits a shard; mid-run the log rotates)       └▶ report email ─▶ SMTP capture
 *   last iteration ─▶ demo-output/ (HTML, JSON, .eml) ─▶ stop everything
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  Analyzer,
  buildReportView,
  DynamoCheckpointStore,
  renderHtml,
  renderJson,
  renderSavedQueriesText,
  renderTable,
  sendIterationReport,
  withSavedQueriesHtml,
  withSavedQueriesJson,
  type ReportView,
  type StoredQueryResult,
} from '@kinlog/analyzer';
import { savedQueryHook } from '@kinlog/query';
import { awsClientConfig, ensureStream, type CommandContext } from '@kinlog/core';
import { LocalEnvironmentDefaults, startLocalServices, type LocalServices } from '@kinlog/local';
import { DemoIncidents, DemoSources, type DemoSource } from './demo-incidents.js';
import { DemoDefaults, type DemoOptions } from './demo-options.js';
import { count, describeIncident, DemoProgress } from './demo-progress.js';
import { DemoShipper } from './demo-shipper.js';
import type { DemoTarget } from './demo-target.js';
import { DemoTraffic, type SimulatedRequest } from './demo-traffic.js';
import { NginxAccessLog } from './nginx-access-log.js';
import { PinoApiApp } from './pino-api-app.js';
import { seededRandom } from '@kinlog/core';
import { SmtpCapture } from './smtp-capture.js';
import { splitShard } from './split-shard.js';
import { WinstonShopApp } from './winston-shop-app.js';

/** What a demo run produced. */
export interface DemoResult {
  readonly iterations: number;
  readonly emailsCaptured: number;
  readonly files: { readonly html: string; readonly json: string; readonly eml: string };
}

interface Logs {
  log(request: SimulatedRequest): void;
}

const RATES: Readonly<Record<DemoSource, number>> = {
  [DemoSources.WINSTON]: DemoDefaults.WINSTON_PER_SECOND,
  [DemoSources.PINO]: DemoDefaults.PINO_PER_SECOND,
  [DemoSources.NGINX]: DemoDefaults.NGINX_PER_SECOND,
};

/** Progress lines per phase while traffic runs. */
const PROGRESS_LINES_PER_PHASE = 2;

/**
 * Runs the whole pipeline on local services and stops everything it started, whatever happens.
 *
 * @throws {Error} when interrupted by `context.signal`, or when a step fails (after cleanup).
 * @example
 * ```ts
 * await runDemo(resolveDemoOptions({ quick: true }), context);
 * ```
 */
export async function runDemo(options: DemoOptions, context: CommandContext): Promise<DemoResult> {
  const startedMs = Date.now();
  const progress = new DemoProgress(context.stdout, startedMs);
  const outDir = resolve(options.outDir);
  const workDir = await mkdtemp(join(tmpdir(), 'kinlog-demo-'));
  const cleanup: (() => Promise<unknown>)[] = [() => rm(workDir, { recursive: true, force: true })];
  const warn = (message: string): void => progress.warn(message);
  try {
    await mkdir(outDir, { recursive: true });
    await rm(join(outDir, 'nginx'), { recursive: true, force: true });

    const services: LocalServices = await startLocalServices();
    cleanup.push(() => services.stop());
    const smtp = await SmtpCapture.start();
    cleanup.push(() => smtp.close());
    progress.step(
      `local Kinesis ${services.kinesisEndpoint ?? '?'} · DynamoDB ${services.dynamodbEndpoint ?? '?'} · SMTP capture smtp://${smtp.host}:${smtp.port}`,
    );

    const credentials = {
      accessKeyId: LocalEnvironmentDefaults.ACCESS_KEY_ID,
      secretAccessKey: LocalEnvironmentDefaults.SECRET_ACCESS_KEY,
    };
    const region = LocalEnvironmentDefaults.REGION;
    const target: DemoTarget = {
      streamName: DemoDefaults.STREAM_NAME,
      kinesis: { endpoint: services.kinesisEndpoint, region, credentials },
      dynamodb: { endpoint: services.dynamodbEndpoint, region, credentials },
    };
    const kinesis = new KinesisClient(awsClientConfig(target.kinesis));
    cleanup.push(() => Promise.resolve(kinesis.destroy()));
    const store = new DynamoCheckpointStore(target.dynamodb);
    cleanup.push(() => Promise.resolve(store.close()));
    await Promise.all([
      ensureStream(kinesis, target.streamName, DemoDefaults.SHARDS, { signal: context.signal }),
      store.createTables(),
    ]);
    progress.step(
      `stream ${target.streamName} (${DemoDefaults.SHARDS} shards) · tables ${store.checkpointsTable}, ${store.iterationsTable}`,
    );

    const winstonApp = new WinstonShopApp(target, warn);
    cleanup.push(() => winstonApp.close());
    const pinoApp = new PinoApiApp(target, warn);
    cleanup.push(() => pinoApp.close());
    const nginx = new NginxAccessLog(join(outDir, 'nginx'));
    await nginx.open();
    const shipper = await DemoShipper.start(target, nginx.glob, join(workDir, 'ship-state'), warn);
    cleanup.push(() => shipper.stop());
    progress.step(
      `shop-web logs through winston, shop-api through pino, kinlog ship tails ${relative(process.cwd(), nginx.glob) || nginx.glob}`,
    );

    const apps: Readonly<Record<DemoSource, Logs>> = {
      [DemoSources.WINSTON]: winstonApp,
      [DemoSources.PINO]: pinoApp,
      [DemoSources.NGINX]: nginx,
    };
    const traffic = new DemoTraffic(seededRandom(options.seed));
    let saved: readonly StoredQueryResult[] = [];
    const analyzer = new Analyzer({
      name: DemoDefaults.ANALYZER_NAME,
      stream: target.streamName,
      kinesis: target.kinesis,
      store,
      topN: DemoDefaults.TOP,
      signal: context.signal,
      windowHook: savedQueryHook({
        store,
        queries: [DemoDefaults.SAVED_QUERY],
        onResults: (_info, results) => {
          saved = results;
        },
      }),
    });
    cleanup.push(() => Promise.resolve(analyzer.close()));

    const phaseMs = Math.round(options.durationMs / DemoDefaults.PHASES);
    let lastView: ReportView | undefined;
    let lastSaved: readonly StoredQueryResult[] = [];
    for (let phase = 1; phase <= DemoDefaults.PHASES; phase += 1) {
      if (phase === 2) {
        const split = await splitShard(kinesis, target.streamName);
        progress.step(`split ${split.parent}: the stream now has ${split.openShards} open shards`);
      }
      progress.line();
      progress.line(
        `Phase ${phase}/${DemoDefaults.PHASES} (${(phaseMs / 1000).toFixed(0)} s of traffic)`,
      );
      for (const incident of DemoIncidents.filter((i) => i.phases.includes(phase))) {
        progress.note(`incident: ${describeIncident(incident)}`);
      }
      const before = { w: winstonApp.logged, p: pinoApp.logged, n: nginx.logged };
      await driveTraffic(phase, phaseMs, traffic, apps, progress, context.signal, () =>
        rotateMidRun(nginx, progress, phase),
      );
      await nginx.write();
      await Promise.all([winstonApp.flush(), pinoApp.flush()]);
      const shipped = await shipper.caughtUp(nginx.logged, DemoDefaults.DELIVERY_TIMEOUT_MS);
      if (!shipped)
        warn(
          `kinlog ship has not delivered every line yet (${count(shipper.acked)} of ${count(nginx.logged)})`,
        );
      const logged = {
        winston: winstonApp.logged - before.w,
        pino: pinoApp.logged - before.p,
        nginx: nginx.logged - before.n,
      };
      progress.step(
        `phase ${phase} delivered: ${count(logged.winston + logged.pino + logged.nginx)} events (winston ${count(logged.winston)} · pino ${count(logged.pino)} · nginx ${count(logged.nginx)} lines shipped)`,
      );

      const iterationStartMs = Date.now();
      const outcome = await analyzer.runIteration();
      const view = buildReportView(outcome.report, { top: DemoDefaults.TOP });
      const records = outcome.report.window.reduce((sum, w) => sum + w.records, 0);
      progress.step(
        `iteration ${outcome.iteration}: ${count(records)} records from ${outcome.report.window.length} shards in ${Date.now() - iterationStartMs} ms, committed`,
      );
      progress.line();
      const columns = (context.stdout as { columns?: number }).columns;
      progress.line(
        renderTable(view, {
          width: columns ?? 120,
          color: (context.stdout as { isTTY?: boolean }).isTTY === true,
        }).trimEnd(),
      );
      progress.line(renderSavedQueriesText(saved).trimEnd());
      progress.line();

      const sent = await sendIterationReport({
        name: DemoDefaults.ANALYZER_NAME,
        iteration: outcome.iteration,
        to: [DemoDefaults.REPORT_TO],
        from: DemoDefaults.REPORT_FROM,
        smtp: { host: smtp.host, port: smtp.port, secure: false, requireTls: false },
        dynamodb: target.dynamodb,
        top: DemoDefaults.TOP,
      });
      progress.step(
        sent.status === 'sent'
          ? `report #${outcome.iteration} emailed to ${DemoDefaults.REPORT_TO} ("${sent.subject}"), received by the SMTP capture`
          : `report #${outcome.iteration} not emailed: ${sent.status}`,
      );
      lastView = view;
      lastSaved = saved;
    }

    const last = smtp.messages.at(-1);
    if (lastView === undefined || last === undefined)
      throw new Error('the demo produced no report');
    const base = join(outDir, `report-iteration-${lastView.iteration}`);
    const files = { html: `${base}.html`, json: `${base}.json`, eml: `${base}.eml` };
    await Promise.all([
      writeFile(files.html, withSavedQueriesHtml(renderHtml(lastView), lastSaved)),
      writeFile(files.json, withSavedQueriesJson(renderJson(lastView), lastSaved)),
      writeFile(files.eml, last.raw),
    ]);
    const shown = (file: string): string => relative(process.cwd(), file) || file;
    progress.line();
    progress.line('Written:');
    const written: [string, string][] = [
      [shown(files.html), 'the last report, as a page (open it in a browser)'],
      [shown(files.eml), 'the email as the SMTP server received it (open it in a mail client)'],
      [shown(files.json), 'the same report as JSON'],
      [`${shown(nginx.dir)}/`, 'the access log kinlog ship tailed (rotated once)'],
    ];
    const width = Math.max(...written.map(([file]) => file.length));
    for (const [file, what] of written) progress.line(`  ${file.padEnd(width)}  ${what}`);
    return {
      iterations: lastView.iteration,
      emailsCaptured: smtp.messages.length,
      files,
    };
  } finally {
    // Reverse order: writers first, the servers they write to last.
    for (const step of cleanup.reverse()) {
      try {
        await step();
      } catch (err) {
        warn(`cleanup: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    progress.step(
      `stopped everything in ${((Date.now() - startedMs) / 1000).toFixed(1)} s in total`,
    );
  }
}

/** Rotation happens once, halfway through the run (the middle of phase 2). */
async function rotateMidRun(
  nginx: NginxAccessLog,
  progress: DemoProgress,
  phase: number,
): Promise<void> {
  if (phase !== 2) return;
  await nginx.rotate();
  progress.step('rotated access.log → access.log.1 (rename + create, as logrotate does)');
}

async function driveTraffic(
  phase: number,
  phaseMs: number,
  traffic: DemoTraffic,
  apps: Readonly<Record<DemoSource, Logs>>,
  progress: DemoProgress,
  signal: AbortSignal,
  atHalf: () => Promise<void>,
): Promise<void> {
  const incidents = DemoIncidents.filter((i) => i.phases.includes(phase));
  const owed = new Map<object, number>();
  const startMs = Date.now();
  let lastMs = startMs;
  let halfDone = false;
  let nextProgressMs = startMs + phaseMs / (PROGRESS_LINES_PER_PHASE + 1);
  let logged = 0;
  let failing = 0;
  const due = (key: object, perSecond: number, seconds: number): number => {
    const total = (owed.get(key) ?? 0) + perSecond * seconds;
    const n = Math.floor(total);
    owed.set(key, total - n);
    return n;
  };
  while (Date.now() - startMs < phaseMs) {
    signal.throwIfAborted();
    await delay(DemoDefaults.TICK_MS, undefined, { signal });
    const nowMs = Date.now();
    const seconds = (nowMs - lastMs) / 1000;
    lastMs = nowMs;
    const time = new Date(nowMs);
    for (const source of Object.values(DemoSources)) {
      for (let n = due(apps[source], RATES[source], seconds); n > 0; n -= 1) {
        apps[source].log(traffic.normal(source, time));
        logged += 1;
      }
    }
    for (const incident of incidents) {
      for (let n = due(incident, incident.perSecond, seconds); n > 0; n -= 1) {
        apps[incident.source].log(traffic.failing(incident, time));
        failing += 1;
      }
    }
    await (apps[DemoSources.NGINX] as NginxAccessLog).write();
    if (!halfDone && nowMs - startMs >= phaseMs / 2) {
      halfDone = true;
      await atHalf();
    }
    if (nowMs >= nextProgressMs) {
      nextProgressMs += phaseMs / (PROGRESS_LINES_PER_PHASE + 1);
      progress.note(
        `${count(logged + failing)} requests logged, ${count(failing)} of them from incidents`,
      );
    }
  }
}
