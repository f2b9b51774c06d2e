export interface Progress {
  /** The current state: redrawn in place on a terminal, printed as a line when it changes otherwise. */
  update(text: string): void;
  /** Ends the status line (a terminal keeps its last state on screen). */
  done(): void;
}

/**
 * Progress of a long operation on stderr, so that stdout carries only the result (the preview URL)
 * for scripts: `url=$(stackfork sandbox up --ref main)`.
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let last = "";
  let drawn = false;
  return {
    update(text) {
      if (tty) {
        const width = Math.max(20, (stream.columns || 80) - 1);
        const line = text.length > width ? `${text.slice(0, width - 1)}…` : text;
        stream.write(`\r\x1b[2K${line}`);
        drawn = true;
      } else if (text !== last) {
        stream.write(`${text}\n`);
      }
      last = text;
    },
    done() {
      if (tty && drawn) stream.write("\n");
      drawn = false;
    },
  };
}
