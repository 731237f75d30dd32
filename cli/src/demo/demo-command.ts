import { Command } from 'commander';
import type { CommandContext } from '@kinlog/core';
import { DemoDefaults, resolveDemoOptions } from './demo-options.js';
import { realAwsGuide } from './real-aws-guide.js';
import { runDemo } from './run-demo.js';

/**
 * `kinlog demo`: the whole pipeline on local services, in about half a minute (see
 * {@link runDemo}); `--real-aws` prints how to run the same pipeline on AWS instead.
 *
 * @example
 * ```ts
 * const program = new Command('kinlog').addCommand(demoCommand(context));
 * await program.parseAsync(['node', 'kinlog', 'demo', '--quick']);
 * ```
 */
export function demoCommand(context: CommandContext): Command {
  return new Command('demo')
    .description(
      'run the whole pipeline on local Kinesis, DynamoDB and SMTP: simulated apps, kinlog ship, three analyzer iterations, reports',
    )
    .option('--duration <seconds>', `seconds of traffic (default ${DemoDefaults.DURATION_S})`)
    .option('--quick', `a short run (${DemoDefaults.QUICK_DURATION_S} s of traffic)`)
    .option('--out <dir>', `where the report files go (default ${DemoDefaults.OUT_DIR})`)
    .option('--seed <n>', `seed of the simulated traffic (default ${DemoDefaults.SEED})`)
    .option('--real-aws', 'print how to run the same pipeline on AWS, and exit')
    .action(async (raw: Record<string, unknown>) => {
      const options = resolveDemoOptions(raw);
      if (options.realAws) {
        context.stdout.write(realAwsGuide());
        return;
      }
      try {
        await runDemo(options, context);
      } catch (err) {
        // runDemo has already stopped everything it started; say so instead of "aborted".
        if (context.signal.aborted)
          throw new Error('demo interrupted; everything it started is stopped');
        throw err;
      }
    });
}
