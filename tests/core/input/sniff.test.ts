import { describe, expect, it } from 'vitest';
import { sniff } from '../../../src/core/input/sniff';

const bytes = (...xs: (number | string)[]) =>
  Uint8Array.from(xs.flatMap((x) => (typeof x === 'string' ? [...x].map((c) => c.charCodeAt(0)) : [x])));

describe('sniff', () => {
  it('recognises images by content, not name', () => {
    expect(sniff(bytes(0xff, 0xd8, 0xff, 0xe0), 'x.png')).toEqual({ kind: 'image', format: 'jpeg' });
    expect(sniff(bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a), 'a')).toEqual({ kind: 'image', format: 'png' });
    expect(sniff(bytes('RIFF', 0, 0, 0, 0, 'WEBP'), 'a')).toEqual({ kind: 'image', format: 'webp' });
  });
  it('refuses a renamed text file with a reason that names the problem', () => {
    const r = sniff(bytes('hello world'), 'holiday.jpg');
    expect(r.kind).toBe('unknown');
    expect(r.kind === 'unknown' && r.reason).toMatch(/corrupt or renamed/);
  });
  it('refuses an empty file and an unrelated file', () => {
    expect(sniff(new Uint8Array(), 'a.jpg')).toEqual({ kind: 'unknown', reason: 'the file is empty' });
    expect(sniff(bytes('%PDF-1.4'), 'paper.pdf').kind).toBe('unknown');
  });
  it('tells models and JSON apart', () => {
    expect(sniff(bytes(0x50, 0x4b, 3, 4), 'dino_deitsmall8_pretrain.pth')).toEqual({ kind: 'pth' });
    expect(sniff(bytes(0x50, 0x4b, 3, 4), 'photos.zip').kind).toBe('unknown');
    expect(sniff(bytes(8, 1), 'model.onnx')).toEqual({ kind: 'onnx' });
    expect(sniff(bytes(' {"images":'), 'gt')).toEqual({ kind: 'json' });
  });
});
