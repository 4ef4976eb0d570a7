// `emb-agent install-service`: writes the systemd user unit for this user and says how to enable it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config/load.js';
import { EXIT } from './service/exit-codes.js';
import { installService, packagePaths } from './service/install-service.js';
import { probeUserManager } from './service/user-manager.js';

export async function runInstallService(
  config: Config,
  configFlag: string | undefined,
  say: (line: string) => void,
): Promise<number> {
  const cliPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'cli.js');
  const result = await installService({
    nodePath: process.execPath,
    cliPath,
    configPath: configFlag ? path.resolve(configFlag) : config.configPath,
    home: config.env.home,
    user: config.env.user,
    ...(config.env.configHome ? { configHome: config.env.configHome } : {}),
    detachedScript: packagePaths(cliPath).detachedScript,
    stateDir: config.stateDir,
    userManager: await probeUserManager(config.env.runtimeDir),
  });
  say(`${result.action} ${result.unitPath}`);
  if (result.backupPath) say(`kept the previous unit as ${result.backupPath}`);
  say('');
  say('Now run:');
  for (const c of result.commands) say(`  ${c}`);
  for (const n of result.notes) say(`\n${n}`);
  return EXIT.OK;
}
