// Takes photos by drag-and-drop (files or whole folders) or through the file and folder pickers;
// every file goes through the session's single ingest path.
import { useRef, useState, type DragEvent } from 'react';
import { ingestFiles } from '../../processing/ingest';
import { filesFromDrop } from './folder-files';

export function DropZone() {
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void filesFromDrop(e.dataTransfer).then(ingestFiles);
  };
  const picked = (input: HTMLInputElement) => {
    void ingestFiles(Array.from(input.files ?? []));
    input.value = '';
  };
  return (
    <div
      className={`dropzone${over ? ' dropzone-over' : ''}`}
      data-testid="dropzone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p>Drop photos or a folder here</p>
      <div className="dropzone-buttons">
        <button onClick={() => files.current?.click()}>Choose photos…</button>
        <button onClick={() => folder.current?.click()}>Choose folder…</button>
      </div>
      <input ref={files} type="file" accept="image/*,.json,.onnx,.pth,.safetensors" multiple hidden data-testid="file-input" onChange={(e) => picked(e.target)} />
      <input
        ref={folder}
        type="file"
        multiple
        hidden
        data-testid="folder-input"
        {...({ webkitdirectory: '' } as Record<string, string>)}
        onChange={(e) => picked(e.target)}
      />
    </div>
  );
}
