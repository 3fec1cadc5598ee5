// Imports a model file the user dropped (.onnx, .pth, .safetensors): validated or converted in a
// worker, cached in the browser, then selectable. (Placeholder until the model worker lands.)
import { useApp } from '../state/store';

export async function importModelFile(file: File, kind: 'onnx' | 'pth' | 'safetensors'): Promise<void> {
  useApp.getState().notify('error', `${file.name} was not added: importing ${kind} models is not available yet.`);
}
