#!/usr/bin/env node
// emb-agent: `run` (the daemon, in the foreground), `check` (config and environment), `install-service`.
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config/load.js';
import { ConfigError } from './errors.js';
import { EXIT, exitCodeFor } from './service/exit-codes.js';

const USAGE = `usage: emb-agent <command> [--config FILE]   (emb-agent --version: the version)

commands:
  run [--standby]   run the agent in the foreground (systemd runs this); --standby waits for the lease
                    (another login node's agent) and takes over when its holder stops heartbeating
  check [--json]    validate the config and the environment; exit non-zero on a problem
  install-service   write the systemd user unit and print how to enable it

The config file is --config, else $EMB_AGENT_CONFIG, else ~/.config/emb-agent/config.yaml
(a missing default file means all defaults).`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
        standby: { type: 'boolean' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (err) {
    console.error(`emb-agent: ${(err as Error).message}\n\n${USAGE}`);
    return EXIT.CONFIG;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.version) {
    console.log(`emb-agent ${(await import('./version.js')).packageVersion()}`);
    return EXIT.OK;
  }
  if (parsed.values.help || !command) {
    console.log(USAGE);
    return command || parsed.values.help ? EXIT.OK : EXIT.CONFIG;
  }
  if (rest.length) {
    console.error(`emb-agent: unexpected argument ${rest[0]}\n\n${USAGE}`);
    return EXIT.CONFIG;
  }
  let config: Config;
  try {
    config = loadConfig(parsed.values.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`emb-agent: ${err.message}`);
      return EXIT.CONFIG;
    }
    throw err;
  }
  switch (command) {
    case 'run': {
      const { runAgent } = await import('./main.js');
      return runAgent(config, { standby: parsed.values.standby === true });
    }
    case 'check': {
      const { runCheck } = await import('./check.js');
      return runCheck(config, (line) => console.log(line), { json: parsed.values.json === true });
    }
    case 'install-service': {
      const { runInstallService } = await import('./install.js');
      return runInstallService(config, parsed.values.config, (line) => console.log(line));
    }
    default:
      console.error(`emb-agent: unknown command "${command}"\n\n${USAGE}`);
      return EXIT.CONFIG;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`emb-agent: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = exitCodeFor(err);
  },
);
