#!/usr/bin/env bash
# `npm run demo`: runs ocvm on the bundled sample deployment (examples/sample-deployment), a
# 2026.2.19-era gateway of user "alice" with WhatsApp, Google Chat, Signal, two agents (one
# workspace outside the state dir), $include'd config with comments, sessions and extensions.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# The sample was written on alice's Mac (/Users/alice): put it in place as this machine's "old host"
# home, with its absolute paths pointing there, as they would on the machine it runs on.
sample_home="$scratch/old-host/home/alice"
mkdir -p "$sample_home"
cp -R examples/sample-deployment/home/alice/. "$sample_home/"
sed -i.orig "s|/Users/alice|$sample_home|g" "$sample_home/.openclaw/agents/main/sessions/sessions.json" && rm -f "$sample_home/.openclaw/agents/main/sessions/sessions.json.orig"

# The sample plays the part of alice's home directory; oclif's own cache/config go to a scratch dir.
run_ocvm() {
  env -u OPENCLAW_STATE_DIR -u OPENCLAW_CONFIG_PATH -u OPENCLAW_PROFILE -u OPENCLAW_HOME \
    HOME="$sample_home" XDG_CACHE_HOME="$scratch/cache" XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" XDG_STATE_HOME="$scratch/state" \
    node bin/run.js "$@"
}

echo "== ocvm inspect: what the sample deployment consists of and how each part migrates =="
run_ocvm inspect

echo
echo "== ocvm migrate --dry-run: the plan and every path rewrite, nothing changes =="
target_home="$scratch/new-host/home/alice"
mkdir -p "$target_home"
run_ocvm migrate --from local --to local --target-home "$target_home" --target-state-dir "$target_home/.openclaw" --dry-run

echo
echo "== ocvm migrate: into a local target directory ($target_home) =="
run_ocvm migrate --from local --to local --target-home "$target_home" --target-state-dir "$target_home/.openclaw" --yes --skip-hooks
echo
echo "== the migrated copy =="
find "$target_home" -maxdepth 2 | sort | head -20
