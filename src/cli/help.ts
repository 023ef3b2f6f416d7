// Help text: kept free of imports so `bluegreen --help` starts fast.
export const HELP = `bluegreen: blue-green releases of Telegram webhook bots on AWS (EC2 + ALB), with automatic rollback

Usage:
  bluegreen validate [ENV ...]                 check environments/<ENV>.yaml (all of them when none is named)
  bluegreen plan ENV --image REF               the steps and exact host commands a release would run; changes nothing
  bluegreen rehearse ENV --image REF [--build DIR [--file F]] [--updates DIR] [--with-secrets]
                                               the deployment checklist against the real image on a local Docker engine,
                                               run as a release would run it; exit 0 when every check passes, 1 otherwise
  bluegreen release ENV --image REF            blue-green release with automatic rollback
  bluegreen rollback ENV                       put the previous release back live (instant while its colour is warm)
  bluegreen promote FROM TO                    release TO with the exact image digest live and verified in FROM
  bluegreen status ENV [--watch]               live colour, webhook, both colours, lock, drift
  bluegreen history ENV [--limit N]            past releases and rollbacks, newest first
  bluegreen lock status|release ENV [--force]  the deploy lock
  bluegreen sandbox up|down|status             the embedded local world (AWS + Telegram emulators, local runtime);
                                               up --legacy: as production runs before bluegreen (adopted by the first release)

ENV is a name (environments/<ENV>.yaml under the current folder or --config-dir) or a path to a .yaml file.
REF is a tag (v2, :v2), a digest (@sha256:...), or the configured repository with either.

Flags:
  --json                  one JSON object per line on stdout (events, then a result)
  --config-dir DIR        where environments/ lives (default: the current folder)
  --verbose, -v           more detail (never secrets)
  --no-color              no colours (NO_COLOR is honoured too)
  --bake DURATION         release/promote: override the bake window (e.g. 30s, 5m)
  --dry-run               release: print the plan instead
  --lock-wait DURATION    wait this long for another run's lock instead of exiting 75
  --allow-unhealthy-live  release even though the live colour is unhealthy (no safe rollback)
  --build DIR             rehearse: docker build DIR first (tagged REF) and rehearse the result
  --file DOCKERFILE       rehearse --build: the Dockerfile (default DIR/Dockerfile)
  --updates DIR           rehearse: also post every *.json update file in DIR to the webhook
  --with-secrets          rehearse: give the container the real secrets (needs rehearse.apiBaseEnv)
  --yes, -y               confirm a protected environment without a prompt
  --force                 lock release: remove a lock that is not yours
  --help, --version

Exit codes:
  0  done (released / rolled back / promoted; status consistent; rehearsal passed)
  1  failed before any traffic moved: the live release never changed (rehearse: a check failed)
  2  failed after traffic moved; the automatic rollback put the previous release back live
  3  needs a human: the rollback itself failed, or status finds drift
  64 usage or configuration error: nothing was touched
  75 another run holds the lock: nothing was touched
  130/143  cancelled by SIGINT/SIGTERM before traffic moved (after, a cancel rolls back: 2); a second signal exits at once
`;
