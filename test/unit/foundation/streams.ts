import { PassThrough } from 'node:stream';

/** A writable stream that keeps what was written, optionally pretending to be a terminal. */
export interface CapturedStream extends PassThrough {
  isTTY?: boolean;
  text(): string;
}

export function captureStream(isTTY = false): CapturedStream {
  const stream = new PassThrough() as CapturedStream;
  let written = '';
  stream.on('data', (chunk: Buffer | string) => {
    written += chunk.toString();
  });
  if (isTTY) stream.isTTY = true;
  stream.text = () => written;
  return stream;
}

/** An input stream that stays open until the test ends it, optionally pretending to be a terminal. */
export function openInput(isTTY = false): PassThrough & { isTTY?: boolean } {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (isTTY) stream.isTTY = true;
  return stream;
}

// eslint-disable-next-line no-control-regex
export const ANSI_ESCAPE = /\u001b\[/;
