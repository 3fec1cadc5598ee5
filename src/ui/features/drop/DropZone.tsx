// Takes photos by drag-and-drop anywhere on the zone or through a file picker; every file goes
// through the session's single ingest path.
import { useRef, useState, type DragEvent } from 'react';
import { ingestFiles } from '../../processing/ingest';

export function DropZone() {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void ingestFiles(Array.from(e.dataTransfer.files));
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
      <p>Drop photos here</p>
      <button onClick={() => input.current?.click()}>Choose photos…</button>
      <input
        ref={input}
        type="file"
        accept="image/*"
        multiple
        hidden
        data-testid="file-input"
        onChange={(e) => {
          void ingestFiles(Array.from(e.target.files ?? []));
          e.target.value = '';
        }}
      />
    </div>
  );
}
