// `npm run model -- build | validate | list`: converts DINO checkpoints to ONNX backbones with
// manifests and checks ONNX files against the backbone contract (method.md §1). A thin shell.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { manifestProblems, type ModelManifest } from '../core/backbone/types';
import { readCheckpoint } from '../model/checkpoint/read-checkpoint';
import { checkBackboneOnnx } from '../model/validate';
import { convertDino, DINO_CHECKPOINTS, DINO_DEFAULTS, sha256Hex } from '../model/vit/dino';

const USAGE = `usage:
  npm run model -- build --from <file.pth|file.safetensors|URL|${Object.keys(DINO_CHECKPOINTS).join('|')}>
                         [--size ${DINO_DEFAULTS.inputSize}] [--out public/models] [--id ID] [--heads N] [--tau ${DINO_DEFAULTS.tau}]
  npm run model -- validate <file.onnx>
  npm run model -- list [--dir public/models]`;

const DOWNLOAD_CACHE = '.cache/checkpoints';

const log = (line: string) => process.stderr.write(`${line}\n`);

type Flags = Map<string, string>;

function parseArgs(args: string[]): { positional: string[]; flags: Flags } {
  const positional: string[] = [];
  const flags: Flags = new Map();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) positional.push(a);
    else if (a.includes('=')) flags.set(a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1));
    else flags.set(a.slice(2), args[++i] ?? '');
  }
  return { positional, flags };
}

function numberFlag(flags: Flags, name: string): number | undefined {
  if (!flags.has(name)) return undefined;
  const v = Number(flags.get(name));
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number, got "${flags.get(name)}"`);
  return v;
}

async function download(url: string): Promise<Uint8Array> {
  const cached = path.join(DOWNLOAD_CACHE, path.basename(new URL(url).pathname) || 'checkpoint');
  if (existsSync(cached)) {
    log(`using cached ${cached}`);
    return new Uint8Array(await readFile(cached));
  }
  log(`downloading ${url}`);
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot download ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message} ` +
      `(offline? fetch the file elsewhere and pass --from <file>)`, { cause: err });
  }
  if (!res.ok || !res.body) throw new Error(`cannot download ${url}: HTTP ${res.status} ${res.statusText}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  const chunks: Uint8Array[] = [];
  let received = 0;
  let lastReport = 0;
  const reader = res.body.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    const chunk = r.value;
    chunks.push(chunk);
    received += chunk.length;
    if (received - lastReport > 20e6) {
      lastReport = received;
      log(`  ${(received / 1e6).toFixed(0)} MB${total ? ` of ${(total / 1e6).toFixed(0)} MB` : ''}`);
    }
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  await mkdir(DOWNLOAD_CACHE, { recursive: true });
  await writeFile(cached, bytes);
  return bytes;
}

async function readSource(from: string): Promise<{ bytes: Uint8Array; source: string }> {
  const official = DINO_CHECKPOINTS[from];
  const url = official?.url ?? (/^https?:\/\//.test(from) ? from : undefined);
  if (url) return { bytes: await download(url), source: url };
  if (!existsSync(from)) throw new Error(`no such file: ${from} (or pass a URL or one of ${Object.keys(DINO_CHECKPOINTS).join(', ')})`);
  log(`reading ${from}`);
  return { bytes: new Uint8Array(await readFile(from)), source: path.basename(from) };
}

async function build(flags: Flags): Promise<number> {
  const from = flags.get('from');
  if (!from) throw new Error(`build needs --from\n${USAGE}`);
  const outDir = flags.get('out') ?? 'public/models';
  const { bytes, source } = await readSource(from);
  log(`parsing checkpoint (${(bytes.length / 1e6).toFixed(1)} MB)`);
  const sd = readCheckpoint(bytes, from);
  log(`converting ${sd.size} tensors`);
  const { bytes: onnx, manifest, variant } = await convertDino(sd, {
    inputSize: numberFlag(flags, 'size'),
    numHeads: numberFlag(flags, 'heads'),
    tau: numberFlag(flags, 'tau'),
    id: flags.get('id'),
    source,
  });
  log(`${variant.label}: depth ${variant.depth}, ${variant.numHeads} heads, pos_embed ${variant.trainGrid}² → ${manifest.inputSize / manifest.stride}²`);
  const check = checkBackboneOnnx(onnx);
  if (check.problems.length) throw new Error(`converted model fails validation: ${check.problems.join('; ')}`);
  await mkdir(outDir, { recursive: true });
  const onnxPath = path.join(outDir, manifest.file);
  const jsonPath = path.join(outDir, `${manifest.id}.json`);
  await writeFile(onnxPath, onnx);
  await writeFile(jsonPath, `${JSON.stringify(manifest, null, 2)}\n`);
  log(`wrote ${onnxPath} (${(onnx.length / 1e6).toFixed(1)} MB) and ${jsonPath}`);
  process.stdout.write(`${onnxPath}\n`);
  return 0;
}

/** The manifest beside an ONNX file (same name, .json), read and checked once; null when there is none. */
async function readSiblingManifest(onnxPath: string): Promise<{ jsonPath: string; manifest?: ModelManifest; problems: string[] } | null> {
  const jsonPath = onnxPath.replace(/\.onnx$/i, '.json');
  if (jsonPath === onnxPath || !existsSync(jsonPath)) return null;
  log(`checking ${jsonPath}`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8'));
  } catch (err) {
    return { jsonPath, problems: [`${jsonPath} is not JSON: ${(err as Error).message}`] };
  }
  const problems = manifestProblems(json).map((p) => `${jsonPath}: ${p}`);
  return problems.length ? { jsonPath, problems } : { jsonPath, manifest: json as ModelManifest, problems };
}

/** The sibling manifest's checksums (the graph's and its shared stem's) and input size against the file. */
async function siblingManifestProblems(onnxPath: string, onnx: Uint8Array, sibling: { jsonPath: string; manifest: ModelManifest }, inputSize?: number): Promise<string[]> {
  const { jsonPath, manifest: m } = sibling;
  const problems: string[] = [];
  const sha = await sha256Hex(onnx);
  if (m.sha256 !== sha) problems.push(`${jsonPath}: sha256 ${m.sha256} does not match the file's ${sha}`);
  const stem = m.shiftAverage?.stem;
  const stemPath = stem && path.join(path.dirname(onnxPath), stem.file);
  if (stem && stemPath && !existsSync(stemPath)) problems.push(`${jsonPath}: its shared stem ${stemPath} is missing`);
  else if (stem && stemPath && (await sha256Hex(new Uint8Array(await readFile(stemPath)))) !== stem.sha256) problems.push(`${jsonPath}: sha256 of ${stem.file} does not match`);
  if (inputSize !== undefined && m.inputSize !== inputSize) problems.push(`${jsonPath}: inputSize ${m.inputSize} but the model takes ${inputSize}`);
  return problems;
}

async function validate(positional: string[]): Promise<number> {
  const file = positional[0];
  if (!file) throw new Error(`validate needs a file\n${USAGE}`);
  const bytes = new Uint8Array(await readFile(file));
  const sibling = await readSiblingManifest(file);
  const m = sibling?.manifest;
  // The head of a model with a shared stem reads the stem's map, not the image.
  const stem = m?.shiftAverage?.stem;
  const check = checkBackboneOnnx(bytes, undefined, stem && m ? { stemOutput: stem.output, inputName: m.inputName, inputSize: m.inputSize } : undefined);
  const manifestChecks = m && sibling ? await siblingManifestProblems(file, bytes, { jsonPath: sibling.jsonPath, manifest: m }, check.signature?.inputSize) : (sibling?.problems ?? []);
  const problems = [...check.problems, ...manifestChecks];
  if (problems.length) {
    for (const p of problems) log(`problem: ${p}`);
    return 1;
  }
  const s = check.signature;
  if (s) process.stdout.write(`ok: ${file}: input '${s.inputName}' ${s.inputSize} px, grid ${s.grid}×${s.grid}, keys ${s.keyDim}, tokens ${s.tokenDim}, cls ${s.clsDim}\n`);
  return 0;
}

async function list(flags: Flags): Promise<number> {
  const dir = flags.get('dir') ?? 'public/models';
  const names = existsSync(dir) ? (await readdir(dir)).filter((n) => n.endsWith('.json') && n !== 'index.json').sort() : [];
  process.stdout.write(`models in ${dir}:${names.length ? '' : ' none'}\n`);
  for (const n of names) {
    const m = JSON.parse(await readFile(path.join(dir, n), 'utf8')) as Partial<ModelManifest>;
    // A model with a shared stem is two graphs: its size is both.
    const files = [m.file, m.shiftAverage?.stem?.file].filter((f): f is string => !!f).map((f) => path.join(dir, f));
    const present = files.length > 0 && files.every((f) => existsSync(f));
    const bytes = present ? (await Promise.all(files.map((f) => stat(f)))).reduce((sum, st) => sum + st.size, 0) : 0;
    const size = present ? `${(bytes / 1e6).toFixed(1)} MB${files.length > 1 ? ' with its stem' : ''}` : 'file missing';
    process.stdout.write(`  ${m.id ?? n}  ${m.name ?? ''}  ${m.inputSize ?? '?'} px  ${m.file ?? '?'} (${size})\n`);
  }
  process.stdout.write('official DINO checkpoints (build with --from <id>):\n');
  for (const [id, c] of Object.entries(DINO_CHECKPOINTS)) process.stdout.write(`  ${id}  ${c.label}  ${c.url}\n`);
  return 0;
}

/** Runs one CLI command; returns the exit code. Errors are reported on stderr, not thrown. */
export async function runModelCli(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args);
  const command = positional.shift();
  try {
    if (command === 'build') return await build(flags);
    if (command === 'validate') return await validate(positional);
    if (command === 'list') return await list(flags);
    log(USAGE);
    return command ? 2 : 0;
  } catch (err) {
    log(`error: ${(err as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runModelCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
