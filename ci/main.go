// onepipe as a Dagger module: test, lint, pack and publish a Python web service
// (Flask, Tornado, Azure Functions) with `dagger call`, running the same Go
// pipeline as the onepipe CLI and its GitLab / Azure DevOps shims.
//
// Every function hands over to github.com/onepipe/onepipe/pipeline in a few
// lines; this module holds no pipeline logic. bridge.go moves objects between
// this module's Dagger types and the library's.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/onepipe/onepipe/ci/internal/dagger"
	"github.com/onepipe/onepipe/pipeline"
)

// Onepipe is one Python app and how to build it. Settings left empty take the
// pipeline's defaults, as with the onepipe CLI.
type Onepipe struct {
	// The app folder: Dockerfile, requirements files, tests.
	// +private
	Source *dagger.Directory
	// Name of the app in image labels and cache volumes.
	// +private
	App string
	// Python image tests and lint run in.
	// +private
	Runtime string
	// Requirement files the app needs to run, relative to the source.
	// +private
	Requirements []string
	// Extra requirement files for tests and lint, relative to the source.
	// +private
	DevRequirements []string
	// Dockerfile path relative to the source.
	// +private
	Dockerfile string
	// Platforms the image is built for.
	// +private
	Platforms []dagger.Platform
	// Linter: flake8 or ruff.
	// +private
	LintTool string
}

// New describes the app to work on. Pass --source with your app's folder
// (dagger call --source=. test); it defaults to the root of the repository
// holding the module's dagger.json.
func New(
	// The app folder: Dockerfile, requirements files, tests.
	// +defaultPath="/"
	// +ignore=[".git", ".onepipe", ".venv", "venv", "**/__pycache__", ".pytest_cache", "node_modules"]
	source *dagger.Directory,
	// Name of the app in image labels and cache volumes (default app).
	// +optional
	app string,
	// Python image tests and lint run in (default python:3.11-slim).
	// +optional
	runtime string,
	// Requirement files the app needs to run, relative to the source.
	// +default=["requirements.txt"]
	requirements []string,
	// Extra requirement files for tests and lint, e.g. requirements-dev.txt.
	// +optional
	devRequirements []string,
	// Dockerfile path relative to the source (default Dockerfile).
	// +optional
	dockerfile string,
	// Platforms the image is built for (default linux/amd64).
	// +optional
	platform []dagger.Platform,
	// Linter: flake8 (default) or ruff.
	// +optional
	lintTool string,
) *Onepipe {
	return &Onepipe{Source: source, App: app, Runtime: runtime, Requirements: requirements,
		DevRequirements: devRequirements, Dockerfile: dockerfile, Platforms: platform, LintTool: lintTool}
}

// Test runs the app's tests with pytest and returns the JUnit report. It fails
// when a test fails, naming the failing tests.
//
// +check
func (m *Onepipe) Test(ctx context.Context) (*dagger.File, error) {
	b, err := m.bridge(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := b.pipe.CheckTests(ctx, ""); err != nil {
		return nil, err
	}
	return b.file(ctx, b.pipe.TestReport())
}

// Lint runs the linter on the source and returns its findings, one per line
// (path:line:col: CODE message). It fails on findings unless --allow-failure.
//
// +check
func (m *Onepipe) Lint(
	ctx context.Context,
	// Return the findings instead of failing on them.
	// +optional
	allowFailure bool,
) (*dagger.File, error) {
	b, err := m.bridge(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := b.pipe.CheckLint(ctx, "", ""); err != nil && !(allowFailure && errors.Is(err, pipeline.ErrLintFindings)) {
		return nil, err
	}
	return b.file(ctx, b.pipe.LintReport())
}

// Pack builds the app's Dockerfile and returns the image for the first
// platform, labelled like the images onepipe publishes.
func (m *Onepipe) Pack(ctx context.Context) (*dagger.Container, error) {
	b, err := m.bridge(ctx)
	if err != nil {
		return nil, err
	}
	return b.container(ctx, b.pipe.Images()[0])
}

// Publish builds the image for every platform and pushes it under each tag,
// retrying transient registry errors. It returns the pushed references
// (repository:tag@sha256:...), the form a deploy should use.
//
// +cache="never"
func (m *Onepipe) Publish(
	ctx context.Context,
	// Image repository without a tag, e.g. registry.gitlab.com/group/app or acme.azurecr.io/app.
	repository string,
	// Tags to push, e.g. the release tag v1.2.3 or the 8-character commit SHA.
	tag []string,
	// Registry user; leave empty to push anonymously.
	// +optional
	username string,
	// Registry password or token, e.g. env://REGISTRY_PASSWORD.
	// +optional
	password *dagger.Secret,
) ([]string, error) {
	b, err := m.bridge(ctx)
	if err != nil {
		return nil, err
	}
	reg, err := b.registry(ctx, repository, username, password)
	if err != nil {
		return nil, err
	}
	pushed, err := b.pipe.Publish(ctx, reg, tag)
	return refs(pushed), err
}

// Run runs the whole pipeline like `onepipe run`: test, lint and pack side by
// side (the first blocking failure cancels the others), then, with
// --repository, publish once all passed. It returns the reports folder:
// junit.xml, lint.txt, lint-junit.xml and summary.txt.
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
	// Push the image to this repository once every check passed, e.g. acme.azurecr.io/app.
	// +optional
	repository string,
	// Tags to push with --repository, e.g. v1.2.3 or the 8-character commit SHA.
	// +optional
	tag []string,
	// Registry user; leave empty to push anonymously.
	// +optional
	username string,
	// Registry password or token, e.g. env://REGISTRY_PASSWORD.
	// +optional
	password *dagger.Secret,
) (*dagger.Directory, error) {
	b, err := m.bridge(ctx)
	if err != nil {
		return nil, err
	}
	flow, err := b.flow(ctx, only, allowLintFailure, repository, tag, username, password)
	if err != nil {
		return nil, err
	}
	report, err := b.pipe.Run(ctx, flow)
	if err != nil {
		return nil, err
	}
	return b.reports(flow.OutDir, report)
}

// Deploy deploys the app to a local Kubernetes cluster run by the engine,
// like `onepipe run --env ENV --cluster local`: it renders the manifests of
// onepipe.yaml's deploy section for the environment, applies them (server-side
// dry run first, then in dependency order), waits for the migration Job and
// the rollout, runs the smoke checks (against the image started as a service
// on a kwok node; through kubectl port-forward on a real node, localNode:
// real), and rolls the app back to its previous revision when a step fails.
// The cluster keeps its state between calls. It returns what was deployed and
// the address.
//
// +cache="never"
func (m *Onepipe) Deploy(
	ctx context.Context,
	// Version of the image, the tag the manifests name, e.g. the 8-character commit SHA.
	version string,
	// Environment of onepipe.yaml to deploy.
	// +default="dev"
	env string,
	// The environment's secrets as NAME=value lines, e.g. file://./dev.env or env://DEV_SECRETS.
	// +optional
	secrets *dagger.Secret,
	// Local cluster to use (default: the environment's cluster name, else local).
	// +optional
	cluster string,
) (string, error) {
	b, err := m.bridge(ctx)
	if err != nil {
		return "", err
	}
	values := map[string]string{}
	if secrets != nil {
		text, err := secrets.Plaintext(ctx)
		if err != nil {
			return "", err
		}
		if values, err = pipeline.ParseDotenv(text); err != nil {
			return "", err
		}
	}
	done, err := b.pipe.DeployToLocalCluster(ctx, env, version, cluster, values, os.Stderr)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("deployed version %s to environment %s; %d smoke checks passed; address %s",
		version, env, len(done.Smoke), done.AddressLine()), nil
}
