// The GitHub Actions example is valid YAML with the shape the docs promise: release on main, promote
// on a tag, OIDC credentials, the SSH key in a 0600 file, --json, and the result as a job output.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface Step {
  uses?: string;
  run?: string;
  id?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  outputs?: Record<string, string>;
  steps?: Step[];
  environment?: string;
}
interface Workflow {
  on: { push: { branches: string[]; tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const load = async (): Promise<Workflow> => parse(await readFile("examples/github-actions/release.yml", "utf8")) as Workflow;

describe("examples/github-actions/release.yml", () => {
  it("releases on main and promotes on a tag", async () => {
    const w = await load();
    expect(w.on.push).toEqual({ branches: ["main"], tags: ["v*"] });
    expect(w.permissions).toEqual({ "id-token": "write", contents: "read" });
    expect(Object.keys(w.jobs)).toEqual(["build", "release-staging", "promote-production", "report"]);
    expect(w.jobs["release-staging"]?.needs).toBe("build");
    expect(w.jobs["promote-production"]?.if).toBe("github.ref_type == 'tag'");
  });

  it("rehearses the freshly built image before it is pushed and released to staging", async () => {
    const w = await load();
    const steps = w.jobs.build?.steps ?? [];
    const at = (pred: (s: Step) => boolean) => steps.findIndex(pred);
    const build = at((s) => s.run?.startsWith("docker build") === true);
    const rehearse = at((s) => s.run?.includes("npx bluegreen rehearse staging") === true);
    const push = at((s) => s.run?.startsWith("docker push") === true);
    expect(build).toBeGreaterThanOrEqual(0);
    expect(rehearse).toBeGreaterThan(build);
    expect(push).toBeGreaterThan(rehearse);
    expect(steps[rehearse]?.run).toMatch(/^set -o pipefail\b/);
    expect(steps[rehearse]?.run).toContain(
      'npx bluegreen rehearse staging --image "${{ steps.meta.outputs.tag }}" --json | tee "$RUNNER_TEMP/rehearse.ndjson"',
    );
    expect(steps[build]?.run).toContain('-t "${{ steps.ecr.outputs.registry }}/${ECR_REPOSITORY}:${{ steps.meta.outputs.tag }}"');
    expect(steps.slice(0, rehearse).some((s) => s.run === "npm ci")).toBe(true);
  });

  it("uses OIDC, a 0600 key file, --json, and exposes the result line", async () => {
    const w = await load();
    for (const name of ["release-staging", "promote-production"]) {
      const job = w.jobs[name] as Job;
      const steps = job.steps ?? [];
      const aws = steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") === true);
      expect(aws?.with).toEqual({ "role-to-assume": "${{ vars.AWS_ROLE_ARN }}", "aws-region": "${{ env.AWS_REGION }}" });
      const key = steps.find((s) => s.env?.BOT_SSH_KEY !== undefined);
      expect(key?.run).toContain('chmod 600 "$key"');
      expect(key?.run).toContain('echo "BOT_SSH_KEY_PATH=$key" >> "$GITHUB_ENV"');
      const run = steps.find((s) => s.run?.includes("npx bluegreen") === true);
      expect(run?.run).toMatch(/npx bluegreen (release staging|promote staging production --yes) .*--json/);
      expect(run?.run).toContain(`echo "result=$result" >> "$GITHUB_OUTPUT"`);
      expect(job.outputs?.result).toBe(`\${{ steps.${run?.id}.outputs.result }}`);
      // No AWS keys or secret values in the file: secrets come from the repository's settings.
      expect(JSON.stringify(job)).not.toMatch(/AKIA|aws-access-key-id|aws-secret-access-key/);
    }
  });
});
