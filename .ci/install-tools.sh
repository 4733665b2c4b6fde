#!/usr/bin/env bash
# Installs the tools the CI-shim validation tests (internal/shim) run:
#   gitlab-ci-local                   parses, validates and runs .gitlab-ci.yml
#   azure-pipelines-language-service  Microsoft's validator for azure-pipelines.yml
#   actionlint                        checks GitHub Actions workflows
# into $ONEPIPE_TOOLS (default: .tools/ in the repository, git-ignored): the npm
# packages with `npm install --prefix`, actionlint with `go install` into
# $ONEPIPE_TOOLS/bin (the Go module proxy and checksum database check it).
# Versions are pinned; running it again is a no-op.
#
# The Azure Pipelines schema itself (service-schema.json) is published in the
# azure-pipelines-vscode repository, not in any npm package: put a copy at
# $ONEPIPE_TOOLS/azure-pipelines/service-schema.json, or point
# ONEPIPE_AZURE_SCHEMA at one and this script copies it there. Without it the
# Azure schema test skips with one line.
set -euo pipefail

# gitlab-ci-local 4.74 and later need Node.js 22; 4.73.0 runs on Node.js 18 and 20.
GITLAB_CI_LOCAL=4.73.0
AZURE_LANGUAGE_SERVICE=0.9.2
ACTIONLINT=v1.7.12

repo="$(cd "$(dirname "$0")/.." && pwd)"
tools="${ONEPIPE_TOOLS:-$repo/.tools}"
mkdir -p "$tools"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install-tools: node and npm are needed (apt-get install nodejs npm)" >&2
  exit 1
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 18 ]; then
  echo "install-tools: Node.js $(node --version) is too old for gitlab-ci-local $GITLAB_CI_LOCAL: install Node.js 18 or later" >&2
  exit 1
fi

installed() { # package version: is exactly that version in $tools?
  [ -f "$tools/node_modules/$1/package.json" ] &&
    [ "$(node -p "require('$tools/node_modules/$1/package.json').version")" = "$2" ]
}

if installed gitlab-ci-local "$GITLAB_CI_LOCAL" && installed azure-pipelines-language-service "$AZURE_LANGUAGE_SERVICE"; then
  echo "install-tools: gitlab-ci-local $GITLAB_CI_LOCAL and azure-pipelines-language-service $AZURE_LANGUAGE_SERVICE already in $tools"
else
  start=$SECONDS
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error --save-exact \
    "gitlab-ci-local@$GITLAB_CI_LOCAL" "azure-pipelines-language-service@$AZURE_LANGUAGE_SERVICE"
  echo "install-tools: installed gitlab-ci-local $GITLAB_CI_LOCAL and azure-pipelines-language-service $AZURE_LANGUAGE_SERVICE in $tools ($((SECONDS - start))s)"
fi
"$tools/node_modules/.bin/gitlab-ci-local" --version >/dev/null

if [ -x "$tools/bin/actionlint" ] && "$tools/bin/actionlint" -version | grep -qx "$ACTIONLINT"; then
  echo "install-tools: actionlint $ACTIONLINT already in $tools/bin"
elif command -v go >/dev/null; then
  GOBIN="$tools/bin" GOFLAGS= go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT"
  echo "install-tools: installed actionlint $ACTIONLINT in $tools/bin"
else
  echo "install-tools: go is missing: the GitHub Actions workflow checks (actionlint) will skip"
fi

# gitlab-ci-local copies the checkout with rsync before it runs a job.
if ! command -v rsync >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq rsync >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq rsync >/dev/null; }
    echo "install-tools: installed rsync"
  else
    echo "install-tools: rsync is missing (apt-get install rsync): the gitlab-ci-local job run will skip"
  fi
fi

schema="$tools/azure-pipelines/service-schema.json"
if [ ! -s "$schema" ] && [ -n "${ONEPIPE_AZURE_SCHEMA:-}" ]; then
  mkdir -p "$(dirname "$schema")"
  cp "$ONEPIPE_AZURE_SCHEMA" "$schema"
fi
if [ -s "$schema" ]; then
  echo "install-tools: Azure Pipelines schema at $schema"
else
  echo "install-tools: no Azure Pipelines schema at $schema (it is not on npm; see the top of this script): the Azure schema test will skip"
fi
