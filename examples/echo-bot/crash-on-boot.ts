// What the production incident looked like: gunicorn could not import the WSGI app, the worker
// died before the socket served anything, and the master exited. The text mimics gunicorn so
// log-scraping in the orchestrator is exercised against realistic lines.

function stamp(): string {
  const iso = new Date().toISOString();
  return `[${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000]`;
}

export function gunicornBootFailure(masterPid: number): string[] {
  const worker = masterPid + 1;
  const site = "/usr/local/lib/python3.11/site-packages/gunicorn";
  return [
    `${stamp()} [${masterPid}] [INFO] Starting gunicorn 22.0.0`,
    `${stamp()} [${masterPid}] [INFO] Using worker: sync`,
    `${stamp()} [${worker}] [INFO] Booting worker with pid: ${worker}`,
    `${stamp()} [${worker}] [ERROR] Exception in worker process`,
    "Traceback (most recent call last):",
    `  File "${site}/arbiter.py", line 609, in spawn_worker`,
    "    worker.init_process()",
    `  File "${site}/workers/base.py", line 134, in init_process`,
    "    self.load_wsgi()",
    `  File "${site}/app/wsgiapp.py", line 48, in load_wsgiapp`,
    "    return util.import_app(self.app_uri)",
    `  File "${site}/util.py", line 371, in import_app`,
    "    mod = importlib.import_module(module)",
    "ModuleNotFoundError: No module named 'main_webhook'",
    "Failed to find attribute 'create_app' in 'main_webhook'.",
    `${stamp()} [${worker}] [INFO] Worker exiting (pid: ${worker})`,
    `${stamp()} [${masterPid}] [ERROR] Worker (pid:${worker}) exited with code 3`,
    `${stamp()} [${masterPid}] [ERROR] Shutting down: Master`,
    `${stamp()} [${masterPid}] [ERROR] Reason: Worker failed to boot.`,
  ];
}

/** Writes the failure to stderr and exits 3 (gunicorn's WORKER_BOOT_ERROR) once it is flushed. */
export function crashOnBoot(): void {
  const text = `${gunicornBootFailure(process.pid).join("\n")}\n`;
  process.stderr.write(text, () => process.exit(3));
}
