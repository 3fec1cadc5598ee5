// Builds every CNN backbone candidate (src/model/cnn-default.ts) into a folder so they can be
// compared with `npm run eval -- --model <dir>/<id>.json`: how the default was chosen (README).
import path from 'node:path';
import { buildDefaultCnn, CNN_CANDIDATES, cnnModelId } from '../src/model/cnn-default';
import { writeModel } from '../src/model/model-files';

const outDir = path.resolve(process.argv[2] ?? 'out/models');
for (const choice of CNN_CANDIDATES) {
  const { bytes, manifest, stemBytes } = await buildDefaultCnn(choice);
  const { sha256: _s, file: _f, ...rest } = manifest;
  await writeModel(outDir, bytes, { ...rest, id: cnnModelId(choice), tau: choice.tau }, stemBytes);
  process.stderr.write(`${cnnModelId(choice)} → ${outDir}\n`);
}
