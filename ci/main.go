// onepipe as a Dagger module: test, lint, pack, publish and deploy a Python
// web service (Flask, Tornado, Azure Functions) with `dagger call`, running
// the same Go pipeline as the onepipe CLI and its GitLab / Azure DevOps shims.
//
// Every function takes the options of the onepipe command of the same name
// and hands them to the same plan (github.com/onepipe/onepipe/internal/plan):
// onepipe.yaml in the source is read the same way, bad input fails with the
// same one line, and the run does the same stages. This module holds no
// pipeline logic; bridge.go moves objects between this module's Dagger types
// and the library's.
//
// Secrets: the references in onepipe.yaml (env:NAME) are looked up in
// --secrets, one secret of NAME=value lines (e.g. --secrets=file://./dev.env);
// --registry-password and --kubeconfig take Dagger secrets directly.
package main

import (
	"context"

	"github.com/onepipe/onepipe/ci/internal/dagger"
)

// Onepipe is one Python app and how to build it; onepipe.yaml in its source
// holds the settings, as for the onepipe CLI.
type Onepipe struct {
	// The app folder: Dockerfile, requirements files, tests, onepipe.yaml.
	// +private
	Source *dagger.Directory
	// Dockerfile path relative to the source.
	// +private
	Dockerfile string
	// Platforms the image is built for.
	// +private
	Platform []string
}

// New describes the app to work on. Pass --source with your app's folder
// (dagger call --source=examples/tornado test); it defaults to the root of
// the repository holding the module's dagger.json.
func New(
	// The app folder: Dockerfile, requirements files, tests, optional onepipe.yaml.
	// +defaultPath="/"
	// +ignore=[".git", ".onepipe", ".venv", "venv", "**/__pycache__", "**/*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", "node_modules", "*.egg-info", ".python_packages"]
	source *dagger.Directory,
	// Dockerfile path inside the source (default Dockerfile).
	// +optional
	dockerfile string,
	// Platforms to build the image for, e.g. linux/amd64 (default linux/amd64, or platforms: in onepipe.yaml).
	// +optional
	platform []string,
) *Onepipe {
	return &Onepipe{Source: source, Dockerfile: dockerfile, Platform: platform}
}

// Test runs the app's tests with pytest and returns the JUnit report, like
// `onepipe test`. It fails when a test fails, naming the failing tests.
//
// +check
func (m *Onepipe) Test(ctx context.Context) (*dagger.File, error) {
	reports, err := m.run(ctx, runArgs{only: []string{"test"}})
	if err != nil {
		return nil, err
	}
	return reports.File("junit.xml"), nil
}

// Lint runs the linter on the source, like `onepipe lint`, and returns its
// findings, one per line (path:line:col: CODE message). It fails on findings
// unless --allow-lint-failure (or lint.allowFailure in onepipe.yaml).
//
// +check
func (m *Onepipe) Lint(
	ctx context.Context,
	// Return the findings instead of failing on them.
	// +optional
	allowLintFailure bool,
) (*dagger.File, error) {
	reports, err := m.run(ctx, runArgs{only: []string{"lint"}, allowLintFailure: allowLintFailure})
	if err != nil {
		return nil, err
	}
	return reports.File("lint.txt"), nil
}

// Pack builds the app's Dockerfile and returns the image for the first
// platform, labelled like the images onepipe publishes (`onepipe pack`).
func (m *Onepipe) Pack(ctx context.Context) (*dagger.Container, error) {
	b, err := m.bridge(ctx)
	if err != nil {
		return nil, err
	}
	p, err := b.plan(runArgs{only: []string{"pack"}})
	if err != nil {
		return nil, err
	}
	pl := p.NewPipeline(b.client, b.source)
	if err := pl.CheckPack(ctx); err != nil {
		return nil, err
	}
	return b.container(ctx, pl.Images()[0])
}

// Publish builds the image for every platform and pushes it, like `onepipe
// pack --publish`: tagged vX.Y.Z on a release tag, else with the
// 8-character commit SHA (--sha), retrying transient registry errors. It
// returns the pushed references (repository:tag@sha256:...).
//
// +cache="never"
func (m *Onepipe) Publish(
	ctx context.Context,
	// Repository to push to, e.g. registry.gitlab.com/group/app or acme.azurecr.io/app.
	// +optional
	publish string,
	// Push to image: of onepipe.yaml instead of --publish.
	// +optional
	push bool,
	// Registry user (default registry.username in onepipe.yaml).
	// +optional
	registryUsername string,
	// Registry password or token, e.g. env://REGISTRY_PASSWORD.
	// +optional
	registryPassword *dagger.Secret,
	// Extra moving tags pushed on releases, e.g. latest (default release.movingTags).
	// +optional
	alsoTag []string,
	// Commit SHA being built (the image tag outside releases).
	// +optional
	sha string,
	// Release tag being built, vX.Y.Z.
	// +optional
	tag string,
	// Branch being built.
	// +optional
	branch string,
	// Full git ref being built, e.g. refs/heads/main.
	// +optional
	ref string,
) ([]string, error) {
	a := runArgs{only: []string{"pack"}, publish: publish, push: push, registryUsername: registryUsername,
		registryPassword: registryPassword, alsoTag: alsoTag, sha: sha, tag: tag, branch: branch, ref: ref}
	report, err := m.runReport(ctx, a)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(report.Published))
	for i, p := range report.Published {
		out[i] = p.String()
	}
	return out, nil
}

// Run runs the whole pipeline like `onepipe run`: test, lint and pack side
// by side (the first blocking failure cancels the others); with --publish or
// --push, publish once all passed; with --deploy (or --cluster,
// --kubeconfig), make the environment's cluster ready beside the checks and
// deploy after publish, rolling back a release that fails. It returns the
// reports folder: junit.xml, lint.txt, lint-junit.xml, summary.txt (and
// image.tar with --export-image).
//
// +cache="never"
func (m *Onepipe) Run(
	ctx context.Context,
	// Run only these checks: test, lint, pack (default all three).
	// +optional
	only []string,
	// Keep lint findings in the reports without failing the run.
	// +optional
	allowLintFailure bool,
	// Also put the image in the reports as image.tar (OCI).
	// +optional
	exportImage bool,
	// Repository to push to once every check passed, e.g. acme.azurecr.io/app.
	// +optional
	publish string,
	// Push to image: of onepipe.yaml instead of --publish.
	// +optional
	push bool,
	// Registry user (default registry.username in onepipe.yaml).
	// +optional
	registryUsername string,
	// Registry password or token, e.g. env://REGISTRY_PASSWORD.
	// +optional
	registryPassword *dagger.Secret,
	// Extra moving tags pushed on releases, e.g. latest.
	// +optional
	alsoTag []string,
	// Commit SHA being built.
	// +optional
	sha string,
	// Release tag being built, vX.Y.Z.
	// +optional
	tag string,
	// Branch being built.
	// +optional
	branch string,
	// Full git ref being built, e.g. refs/heads/main.
	// +optional
	ref string,
	// Environment to target (default: prod for release tags, dev otherwise).
	// +optional
	env string,
	// Allow a protected environment (prod) from a ref that is not a release tag.
	// +optional
	allowProtected bool,
	// Deploy to the environment's cluster after publish.
	// +optional
	deploy bool,
	// Deploy to a review environment of that name (namespace NAMESPACE-NAME), e.g. the merge request's branch slug.
	// +optional
	review string,
	// Deploy to this kind of cluster instead of the environment's: local, existing, kops or aks.
	// +optional
	cluster string,
	// Kubeconfig of an existing cluster (implies --cluster existing).
	// +optional
	kubeconfig *dagger.Secret,
	// The API server of an existing cluster on your machine (kind, minikube, k3d), when its kubeconfig names https://127.0.0.1:PORT: tcp://localhost:PORT.
	// +optional
	apiServer *dagger.Service,
	// The secrets onepipe.yaml refers to (env:NAME), as NAME=value lines, e.g. file://./dev.env.
	// +optional
	secrets *dagger.Secret,
	// Keep the test and lint environments and the local cluster's binaries in this repository, for fresh engines (default: cache.repository in onepipe.yaml).
	// +optional
	cache string,
	// Use no registry cache.
	// +optional
	noCache bool,
	// Scan the image for known vulnerabilities (osv-scanner: Debian and Python packages) after pack, before publish; reports scan.json, scan.sarif, gl-container-scanning-report.json, scan-junit.xml (also scan: in onepipe.yaml).
	// +optional
	scan bool,
	// Fail the run on a finding of this severity or above: low, medium, high or critical (implies --scan; default scan.failOn in onepipe.yaml, else report only).
	// +optional
	scanFailOn string,
) (*dagger.Directory, error) {
	a := runArgs{only: only, allowLintFailure: allowLintFailure, exportImage: exportImage,
		publish: publish, push: push, registryUsername: registryUsername, registryPassword: registryPassword, alsoTag: alsoTag,
		sha: sha, tag: tag, branch: branch, ref: ref, env: env, allowProtected: allowProtected,
		deploy: deploy, cluster: cluster, kubeconfig: kubeconfig, apiServer: apiServer, secrets: secrets, cache: cache, noCache: noCache,
		scan: scan, scanFailOn: scanFailOn}
	return m.run(ctx, a)
}

// Deploy builds the image and deploys it to the environment's cluster, like
// `onepipe run --only pack --deploy`: the cluster is made ready, the
// manifests rendered, checked with a server-side dry run and applied, the
// migration and rollout waited for, the smoke checks run; a failing release
// is rolled back to its previous revision. The local cluster (the default)
// keeps its state between calls. It returns the summary, address included.
//
// +cache="never"
func (m *Onepipe) Deploy(
	ctx context.Context,
	// Commit SHA being built: the image version the manifests name.
	// +optional
	sha string,
	// Release tag being built, vX.Y.Z.
	// +optional
	tag string,
	// Environment of onepipe.yaml to deploy (default: prod for release tags, dev otherwise).
	// +optional
	env string,
	// Allow a protected environment (prod) from a ref that is not a release tag.
	// +optional
	allowProtected bool,
	// Deploy to a review environment of that name (namespace NAMESPACE-NAME).
	// +optional
	review string,
	// Deploy to this kind of cluster instead of the environment's: local, existing, kops or aks.
	// +optional
	cluster string,
	// Kubeconfig of an existing cluster (implies --cluster existing).
	// +optional
	kubeconfig *dagger.Secret,
	// The API server of an existing cluster on your machine (kind, minikube, k3d), when its kubeconfig names https://127.0.0.1:PORT: tcp://localhost:PORT.
	// +optional
	apiServer *dagger.Service,
	// Repository to push to first (a cluster outside the engine pulls the image).
	// +optional
	publish string,
	// Registry user (default registry.username in onepipe.yaml).
	// +optional
	registryUsername string,
	// Registry password or token, e.g. env://REGISTRY_PASSWORD.
	// +optional
	registryPassword *dagger.Secret,
	// The secrets onepipe.yaml refers to (env:NAME), as NAME=value lines, e.g. file://./dev.env.
	// +optional
	secrets *dagger.Secret,
	// Keep the test and lint environments and the local cluster's binaries in this repository, for fresh engines (default: cache.repository in onepipe.yaml).
	// +optional
	cache string,
	// Use no registry cache.
	// +optional
	noCache bool,
) (string, error) {
	a := runArgs{only: []string{"pack"}, deploy: true, review: review, sha: sha, tag: tag, env: env, allowProtected: allowProtected,
		cluster: cluster, kubeconfig: kubeconfig, apiServer: apiServer, publish: publish, registryUsername: registryUsername,
		registryPassword: registryPassword, secrets: secrets, cache: cache, noCache: noCache}
	reports, err := m.run(ctx, a)
	if err != nil {
		return "", err
	}
	return reports.File("summary.txt").Contents(ctx)
}

// Plan prints what `onepipe run` with the same options would do, like
// `onepipe plan`: version, environment, stages, images and the cluster and
// deploy steps. It builds, pushes and deploys nothing.
func (m *Onepipe) Plan(
	ctx context.Context,
	// Plan only these checks: test, lint, pack.
	// +optional
	only []string,
	// Repository to push to, e.g. acme.azurecr.io/app.
	// +optional
	publish string,
	// Push to image: of onepipe.yaml instead of --publish.
	// +optional
	push bool,
	// Registry user (default registry.username in onepipe.yaml).
	// +optional
	registryUsername string,
	// Registry password or token.
	// +optional
	registryPassword *dagger.Secret,
	// Commit SHA being built.
	// +optional
	sha string,
	// Release tag being built, vX.Y.Z.
	// +optional
	tag string,
	// Branch being built.
	// +optional
	branch string,
	// Environment to target.
	// +optional
	env string,
	// Allow a protected environment from a ref that is not a release tag.
	// +optional
	allowProtected bool,
	// Plan a deploy to the environment's cluster.
	// +optional
	deploy bool,
	// Deploy to this kind of cluster instead of the environment's.
	// +optional
	cluster string,
	// Kubeconfig of an existing cluster.
	// +optional
	kubeconfig *dagger.Secret,
	// The API server of an existing cluster on your machine: tcp://localhost:PORT.
	// +optional
	apiServer *dagger.Service,
	// The secrets onepipe.yaml refers to, as NAME=value lines.
	// +optional
	secrets *dagger.Secret,
) (string, error) {
	b, err := m.bridge(ctx)
	if err != nil {
		return "", err
	}
	a := runArgs{only: only, publish: publish, push: push, registryUsername: registryUsername, registryPassword: registryPassword,
		sha: sha, tag: tag, branch: branch, env: env, allowProtected: allowProtected,
		deploy: deploy, cluster: cluster, kubeconfig: kubeconfig, apiServer: apiServer, secrets: secrets}
	if err := b.secrets(ctx, &a); err != nil {
		return "", err
	}
	p, err := b.plan(a)
	if err != nil {
		return "", err
	}
	return printPlan(p), nil
}

// Down tears an environment down like `onepipe down`: it deletes the
// namespace a deploy of the environment (or of its review environment
// --review NAME) made, with everything in it, and waits until it is gone.
//
// +cache="never"
func (m *Onepipe) Down(
	ctx context.Context,
	// Environment to tear down.
	// +default="dev"
	env string,
	// The review environment of that name (what run --review NAME deployed).
	// +optional
	review string,
	// Allow tearing down a protected environment (prod).
	// +optional
	allowProtected bool,
	// Reach this kind of cluster instead of the environment's: local, existing, kops or aks.
	// +optional
	cluster string,
	// Kubeconfig of an existing cluster.
	// +optional
	kubeconfig *dagger.Secret,
	// The API server of an existing cluster on your machine: tcp://localhost:PORT.
	// +optional
	apiServer *dagger.Service,
	// The secrets onepipe.yaml refers to, as NAME=value lines.
	// +optional
	secrets *dagger.Secret,
) (string, error) {
	b, err := m.bridge(ctx)
	if err != nil {
		return "", err
	}
	a := runArgs{env: env, review: review, allowProtected: allowProtected, cluster: cluster, kubeconfig: kubeconfig, apiServer: apiServer, secrets: secrets}
	return b.down(a)
}
