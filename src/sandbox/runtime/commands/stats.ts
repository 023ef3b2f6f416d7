// docker stats --no-stream: memory from /proc/<pid>/status, CPU from two /proc samples 100 ms apart.
import { lastValue, parseArgs } from "../args.js";
import { DockerCliError, noSuchContainer } from "../cli-error.js";
import { type ContainerRecord, findContainer, listContainers } from "../container-record.js";
import type { CliContext } from "../context.js";
import { isAlive, readMemTotalBytes, readProcessCpuTicks, readRssBytes, readSystemCpu, sleep } from "../proc.js";
import { renderTemplate } from "../template.js";
import { formatBytes, percent } from "../units.js";
import { table } from "../views.js";

const CPU_SAMPLE_MS = 100;

interface Sample {
  record: ContainerRecord;
  asGiven: string;
  cpu0: number | null;
}

function statsView(sample: Sample, cpuPercent: number, noTrunc: boolean): Record<string, string> {
  const { record } = sample;
  const running = record.state.Status === "running" && isAlive(record.bot);
  const rss = running && record.bot ? (readRssBytes(record.bot.pid) ?? 0) : 0;
  const limit = running ? (record.memoryBytes > 0 ? record.memoryBytes : readMemTotalBytes()) : 0;
  return {
    BlockIO: "0B / 0B",
    CPUPerc: percent(running ? cpuPercent : 0),
    Container: sample.asGiven,
    ID: noTrunc ? record.id : record.id.slice(0, 12),
    MemPerc: percent(limit > 0 ? (rss / limit) * 100 : 0),
    MemUsage: `${formatBytes(rss)} / ${formatBytes(limit)}`,
    Name: record.name,
    NetIO: "0B / 0B",
    PIDs: running ? "1" : "0",
  };
}

export async function statsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const args = parseArgs("stats", argv, [
    { long: "no-stream", kind: "bool" },
    { long: "all", short: "a", kind: "bool" },
    { long: "format", kind: "value" },
    { long: "no-trunc", kind: "bool" },
  ]);
  // Without --no-stream docker refreshes forever; the sandbox prints one sample either way.
  const samples: Sample[] = [];
  const errors: string[] = [];
  if (args.positionals.length === 0) {
    for (const record of await listContainers(ctx.paths)) {
      if (args.bools.has("all") || record.state.Status === "running") samples.push({ record, asGiven: record.id.slice(0, 12), cpu0: null });
    }
  }
  for (const name of args.positionals) {
    const record = await findContainer(ctx.paths, name);
    if (record) samples.push({ record, asGiven: name, cpu0: null });
    else errors.push(noSuchContainer(name));
  }
  if (errors.length > 0) throw new DockerCliError(errors.join("\n"), 1);

  const system0 = readSystemCpu();
  for (const s of samples) s.cpu0 = s.record.bot ? readProcessCpuTicks(s.record.bot.pid) : null;
  await sleep(CPU_SAMPLE_MS);
  const system1 = readSystemCpu();
  const systemDelta = system1.ticks - system0.ticks;
  const views = samples.map((s) => {
    const cpu1 = s.record.bot ? readProcessCpuTicks(s.record.bot.pid) : null;
    const delta = s.cpu0 !== null && cpu1 !== null ? cpu1 - s.cpu0 : 0;
    const cpuPercent = systemDelta > 0 ? (delta / systemDelta) * system1.cpus * 100 : 0;
    return statsView(s, cpuPercent, args.bools.has("no-trunc"));
  });
  const format = lastValue(args, "format");
  if (format !== undefined && format !== "table") {
    ctx.out(views.map((v) => `${renderTemplate(format, v)}\n`).join(""));
  } else {
    const headers = ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"];
    ctx.out(
      table(
        headers,
        views.map((v) => [v.ID, v.Name, v.CPUPerc, v.MemUsage, v.MemPerc, v.NetIO, v.BlockIO, v.PIDs] as string[]),
      ),
    );
  }
  return 0;
}
