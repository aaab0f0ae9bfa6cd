// The built `latentrec` command under careless and hostile use: outputs never destroy inputs or
// special files and are refused before any work; a finished fit survives a late interrupt; a model
// file from someone else is data (its ids reach the terminal inert, its recorded paths are never
// opened). Everything happens in this test's own temp folder; where the test runs as root, the
// command runs as the unprivileged user "nobody", as a regular user would, so that even a
// regression could not replace /dev/null on the test machine.
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Dataset, FactorModel, SVD, generateRatings } from '../src/index.js';
import { loadModelFromFile, saveModelFile } from '../src/node.js';
import { repoRoot } from './helpers.js';

const cli = resolve(repoRoot, 'dist/cli/main.js');
const built = existsSync(cli);
const builtNote = built ? '' : ' [skipped: dist/ missing, run npm run build]';
const dir = mkdtempSync(join(tmpdir(), 'latentrec-safety-'));

/** Root drops to "nobody" for the command (when that works here), so no test can harm the machine. */
const asNobody: Pick<SpawnSyncOptions, 'uid' | 'gid'> = {};
let nobodyNote = '';

function run(args: string[], options: { timeout?: number } = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir, timeout: options.timeout ?? 60_000, ...asNobody });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const hash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function writeTsv(path: string, data: Dataset): void {
  const lines = Array.from({ length: data.size }, (_, t) => `${data.users.raw[data.userIndex[t]]}\t${data.items.raw[data.itemIndex[t]]}\t${data.ratings[t]}`);
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o644 });
}

beforeAll(async () => {
  if (!built) return;
  writeTsv(join(dir, 'r.tsv'), generateRatings({ users: 120, items: 90, ratings: 4000, seed: 3 }));
  writeFileSync(join(dir, 'notes.txt'), 'my notes, not a model\n');
  mkdirSync(join(dir, 'sub'));
  symlinkSync('r.tsv', join(dir, 'link-to-data.tsv'));
  const fifo = spawnSync('mkfifo', [join(dir, 'pipe')]);
  if (fifo.status !== 0) throw new Error('mkfifo failed');
  const model = new SVD({ factors: 4, epochs: 2 });
  model.fit(generateRatings({ users: 50, items: 40, ratings: 1500, seed: 4 }));
  await saveModelFile(join(dir, 'm.lrec'), model.toState());
  if (process.getuid?.() === 0) {
    for (const entry of ['', ...readdirSync(dir)]) chmodSync(join(dir, entry), entry === '' || entry === 'sub' ? 0o777 : 0o666);
    const probe = spawnSync(process.execPath, [cli, '--help'], { cwd: dir, uid: 65534, gid: 65534 });
    if (probe.status === 0) Object.assign(asNobody, { uid: 65534, gid: 65534 });
    else nobodyNote = ' [running as root: the /dev/null case is skipped, the command could not run as nobody]';
  }
});

/** Every output flag of every command, with the other arguments that command needs. */
const OUTPUTS: { flag: string; args: (out: string) => string[]; input: string }[] = [
  { flag: '--save', args: (out) => ['train', '--data', 'r.tsv', '--factors', '3', '--epochs', '2', '--save', out], input: 'r.tsv' },
  { flag: '--plot', args: (out) => ['train', '--data', 'r.tsv', '--factors', '3', '--epochs', '2', '--plot', out], input: 'r.tsv' },
  { flag: '--out', args: (out) => ['curve', '--data', 'r.tsv', '--factors', '3', '--epochs', '2', '--out', out], input: 'r.tsv' },
  { flag: '--svg', args: (out) => ['embeddings', '--model-file', 'm.lrec', '--svg', out], input: 'm.lrec' },
];

describe.skipIf(!built)(`output paths are checked before any work and never replace what the user gave${builtNote}`, () => {
  const cases: [string, (o: (typeof OUTPUTS)[number]) => string, RegExp][] = [
    ['an input of the command', (o) => o.input, /is the same file as --(data|model-file) /],
    ['a link to an input', (o) => (o.input === 'r.tsv' ? 'link-to-data.tsv' : o.input), /is the same file as --(data|model-file) /],
    ['a missing folder', () => 'no-such-folder/out.x', /the folder no-such-folder does not exist/],
    ['a directory', () => 'sub', /it is a directory/],
    ['a FIFO', () => 'pipe', /it is a FIFO \(named pipe\), not a regular file/],
    ['a file of another kind', () => 'notes.txt', /it exists and is not (a latentrec model file|an SVG document).*refusing to replace it/],
  ];
  for (const output of OUTPUTS) {
    it.each(cases)(`${output.flag} onto %s is refused, naming the flag and the path, and nothing changes`, (_, target, message) => {
      const path = target(output);
      const before = readdirSync(dir).map((f) => [f, statSync(join(dir, f)).isFile() ? hash(join(dir, f)) : 'special']);
      const r = run(output.args(path), { timeout: 20_000 });
      expect(r.signal).toBeNull(); // a FIFO must not make it hang
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${output.flag} ${path}:`);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe(''); // refused before loading or fitting anything
      const after = readdirSync(dir).map((f) => [f, statSync(join(dir, f)).isFile() ? hash(join(dir, f)) : 'special']);
      expect(after).toEqual(before);
    });
  }

  it.skipIf(nobodyNote !== '')(`every output flag onto /dev/null is refused and /dev/null stays a device${nobodyNote}`, () => {
    for (const output of OUTPUTS) {
      const r = run(output.args('/dev/null'));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${output.flag} /dev/null: it is a character device, not a regular file`);
      expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    }
  });

  it('the check comes before loading: a bad --save is reported even when --data is missing', () => {
    const r = run(['train', '--data', 'missing.tsv', '--save', 'no-such-folder/m.lrec']);
    expect(r.stderr).toMatch(/--save no-such-folder\/m\.lrec: the folder no-such-folder does not exist/);
    expect(r.stderr).not.toMatch(/missing\.tsv/);
  });

  it('two outputs on one path are refused; an earlier model at the --save path is replaced', () => {
    expect(run(['train', '--data', 'r.tsv', '--save', 'x.lrec', '--plot', 'x.lrec']).stderr).toMatch(/--plot x\.lrec: it is also the path of --save/);
    writeFileSync(join(dir, 'old.lrec'), readFileSync(join(dir, 'm.lrec')));
    const r = run(['train', '--data', 'r.tsv', '--factors', '3', '--epochs', '2', '--save', 'old.lrec', '--json']);
    expect(r.code).toBe(0);
    expect(hash(join(dir, 'old.lrec'))).not.toBe(hash(join(dir, 'm.lrec')));
  });
});

describe.skipIf(!built)(`train saves a model for serving from all the data${builtNote}`, () => {
  it('without --test or --test-ratio every rating trains, only training figures are reported, and recommend never returns a rated item', async () => {
    const r = run(['train', '--data', 'r.tsv', '--factors', '4', '--epochs', '3', '--save', 'all.lrec', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const lines = readFileSync(join(dir, 'r.tsv'), 'utf8').trim().split('\n');
    expect(report.data.ratings).toBe(lines.length);
    expect(report.test).toBeUndefined();
    expect(report.ranking).toBeUndefined();
    expect(report.train.rmse).toBeGreaterThan(0);
    const model: FactorModel = await loadModelFromFile(join(dir, 'all.lrec'));
    const rated = new Map<string, Set<string>>();
    for (const line of lines) {
      const [user, item] = line.split('\t');
      if (!rated.has(user)) rated.set(user, new Set());
      rated.get(user)!.add(item);
    }
    for (const [user, items] of rated) {
      for (const rec of model.recommend(user, { n: 20 })) expect(items.has(rec.item)).toBe(false);
    }
    const text = run(['train', '--data', 'r.tsv', '--factors', '4', '--epochs', '2']);
    expect(text.stdout).toMatch(/train on all 4000 ratings .*no test set \(give --test FILE or --test-ratio R/);
    expect(text.stdout).toMatch(/on the training data \(not a test figure\)/);
    expect(run(['train', '--data', 'r.tsv', '--cold-items', '0.2']).stderr).toMatch(/--cold-items .* give a test set too/);
  });

  it('--help says so', () => {
    expect(run(['train', '--help']).stdout.replace(/\s+/g, ' ')).toMatch(/default: none, all of --data trains/);
  });
});

describe.skipIf(!built)(`a finished fit survives a late interrupt${builtNote}`, () => {
  it('Ctrl-C during the post-fit evaluation exits 130 with the model already saved, and says so', async () => {
    const big = join(dir, 'big.tsv');
    // Large enough that ranking every test user against the whole catalogue takes seconds.
    writeTsv(big, generateRatings({ users: 30_000, items: 6_000, ratings: 300_000, minPerUser: 5, seed: 9 }));
    chmodSync(big, 0o666);
    const child = spawn(process.execPath, [cli, 'train', '--data', 'big.tsv', '--test-ratio', '0.2', '--factors', '4', '--epochs', '1', '--save', 'late.lrec'], { cwd: dir, ...asNobody });
    let stdout = '', stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('close', (code, signal) => done({ code, signal })));
    const deadline = Date.now() + 50_000;
    while (!stdout.includes('model written to late.lrec') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    expect(stdout).toContain('model written to late.lrec');
    child.kill('SIGINT');
    const { code } = await exited;
    expect(code).toBe(130);
    expect(stderr).toContain('interrupted during the evaluation: no test figures (the model was saved to late.lrec before it)');
    expect(stdout).not.toMatch(/ranking \(full catalogue/);
    const model: FactorModel = await loadModelFromFile(join(dir, 'late.lrec'));
    expect(model.userIds.length).toBeGreaterThan(20_000);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 90_000);
});

describe.skipIf(!built)(`temp files${builtNote}`, () => {
  it('a temp file left by a killed writer is recognised by its name and removed by the next save; a live writer\'s is kept', () => {
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout.trim());
    const stale = `.kept.lrec.${deadPid}.0123456789ab.tmp`;
    const live = `.kept.lrec.${process.pid}.ba9876543210.tmp`;
    const other = `.other.lrec.${deadPid}.0123456789ab.tmp`;
    for (const name of [stale, live, other]) writeFileSync(join(dir, name), 'partial', { mode: 0o666 });
    const r = run(['train', '--data', 'r.tsv', '--factors', '3', '--epochs', '1', '--save', 'kept.lrec', '--json']);
    expect(r.code).toBe(0);
    const left = readdirSync(dir);
    expect(left).not.toContain(stale);
    expect(left).toContain(live); // a process that still runs may still be writing it
    expect(left).toContain(other); // another target's temp file is not this save's business
    expect(left).toContain('kept.lrec');
  });
});

describe.skipIf(!built)(`a model file is data, never instructions${builtNote}`, () => {
  const evilUser = '\u001b]0;pwned\u0007';
  const evilItems = ['\u001b[2J\u001b[H', 'plain\n  9.9999  forged line', '\u009b31mred', '\u202eevil', 'tab\there'];
  let evilPath = '';

  beforeAll(async () => {
    if (!built) return;
    const triples: [string, string, number][] = [];
    for (let u = 0; u < 30; u++) for (let i = 0; i < 12; i++) if ((u + i) % 3 !== 0) triples.push([u === 0 ? evilUser : `u${u}`, i < evilItems.length ? evilItems[i] : `i${i}`, 1 + ((u * i) % 5)]);
    const model = new SVD({ factors: 3, epochs: 3 });
    model.fit(Dataset.fromTriples(triples));
    const state = model.toState();
    // A crafted file: it claims training data in a folder whose u.item is a FIFO (reading it would hang).
    mkdirSync(join(dir, 'trap'));
    spawnSync('mkfifo', [join(dir, 'trap', 'u.item')]);
    state.options = { ...state.options, trainedOn: join(dir, 'trap', 'u.data') };
    evilPath = join(dir, 'evil.lrec');
    await saveModelFile(evilPath, state);
    chmodSync(evilPath, 0o666);
    writeFileSync(join(dir, 'titles.item'), `${evilItems[0]}|\u001b[31mRed Title\u0007|x\ni5|Plain Title|y\n`, { encoding: 'latin1', mode: 0o666 });
  });

  const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  it('recommend and similar print ids and titles escaped: one inert line per item, nothing a terminal acts on', () => {
    const rec = run(['recommend', '--model-file', 'evil.lrec', '--user', evilUser, '-n', '12', '--titles', 'titles.item'], { timeout: 20_000 });
    expect(rec.signal).toBeNull(); // the FIFO named by the file's trainedOn was never opened
    expect(rec.code).toBe(0);
    expect(rec.stdout).not.toMatch(RAW_CONTROL);
    const lines = rec.stdout.trim().split('\n');
    expect(lines.every((l) => /^ *-?\d+\.\d{4}  /.test(l))).toBe(true); // no forged line
    expect(rec.stdout).toContain('\\u001b[31mRed Title\\u0007');
    const sim = run(['similar', '--model-file', 'evil.lrec', '--item', 'i8', '-n', '11'], { timeout: 20_000 });
    expect(sim.code).toBe(0);
    expect(sim.stdout).not.toMatch(RAW_CONTROL);
    expect(sim.stdout).toContain('\\u202eevil');
    expect(sim.stdout.trim().split('\n')).toHaveLength(11);
  });

  it('--json stays exact: the ids parse back to the very strings, with no raw control character in the output', async () => {
    const rec = run(['recommend', '--model-file', 'evil.lrec', '--user', evilUser, '-n', '12', '--json'], { timeout: 20_000 });
    expect(rec.stdout).not.toMatch(RAW_CONTROL);
    const parsed = JSON.parse(rec.stdout);
    const model: FactorModel = await loadModelFromFile(evilPath);
    expect(parsed.user).toBe(evilUser);
    expect(parsed.items).toEqual(model.recommend(evilUser, { n: 12 }).map((r) => ({ id: r.id, score: r.score, item: r.id })));
    // The user rated items 1, 2, 4, 5, ...: the unrated ones include two of the crafted ids.
    expect(parsed.items.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([evilItems[0], evilItems[3]]));
  });

  it('an error quoting an id from the command line or a file is printed inert too', () => {
    const r = run(['similar', '--model-file', 'evil.lrec', '--item', '\u001b[2J\u009bX']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown item/);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });

  it('a model path that is a FIFO is refused at once instead of waiting for a writer', () => {
    const r = run(['recommend', '--model-file', 'pipe', '--user', 'u1'], { timeout: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.stderr).toMatch(/pipe: cannot read the model file: it is a FIFO \(named pipe\), not a regular file/);
  });
});
