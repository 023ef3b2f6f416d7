// Container logs in docker's json-file format: one {"log","stream","time"} object per line,
// so `docker logs` can send each line back to the stream it came from.
import { appendFileSync } from "node:fs";
import { readFile } from "node:fs/promises";

export interface LogEntry {
  log: string;
  stream: "stdout" | "stderr";
  time: string;
}

/** Splits a byte stream into lines; a trailing partial line is kept until flush(). */
export class LineCollector {
  private pending = "";

  constructor(
    private readonly path: string,
    private readonly stream: "stdout" | "stderr",
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.pending + chunk.toString();
    const cut = text.lastIndexOf("\n");
    if (cut < 0) {
      this.pending = text;
      return;
    }
    this.pending = text.slice(cut + 1);
    this.append(text.slice(0, cut + 1).split(/(?<=\n)/));
  }

  flush(): void {
    if (this.pending === "") return;
    this.append([this.pending]);
    this.pending = "";
  }

  private append(lines: string[]): void {
    const time = new Date().toISOString();
    const out = lines.map((log) => JSON.stringify({ log, stream: this.stream, time } satisfies LogEntry)).join("\n");
    // Synchronous: the exit state is written only after every line before it is on disk.
    appendFileSync(this.path, `${out}\n`);
  }
}

export async function readLogEntries(path: string): Promise<LogEntry[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as LogEntry);
}
