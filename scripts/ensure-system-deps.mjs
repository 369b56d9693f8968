// Installs the Debian packages the tests need when they are missing, so `npm test` passes on a fresh
// machine: redis-server (the Redis store tests spawn their own on a free port) and chromium (the inbox
// page's browser test drives Debian's /usr/bin/chromium through playwright-core; no browser is downloaded)
// and curl (the README's curl examples are run as printed).
import { execFileSync, spawnSync } from 'node:child_process';

const needed = [
  { binary: 'redis-server', pkg: 'redis-server' },
  { binary: 'chromium', pkg: 'chromium' },
  { binary: 'curl', pkg: 'curl' },
];
const has = (binary) => spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
const missing = needed.filter((n) => !has(n.binary));
if (missing.length === 0) process.exit(0);

const pkgs = missing.map((m) => m.pkg);
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = !root && has('sudo') ? ['sudo', '-n'] : [];
if (!root && sudo.length === 0) {
  console.error(`The tests need ${pkgs.join(', ')}. Install with: sudo apt-get install -y ${pkgs.join(' ')}`);
  process.exit(1);
}
console.error(`Installing ${pkgs.join(', ')} for the tests...`);
const run = (args) =>
  execFileSync(sudo[0] ?? args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
run(['apt-get', 'update']);
run(['apt-get', 'install', '-y', '--no-install-recommends', ...pkgs]);
