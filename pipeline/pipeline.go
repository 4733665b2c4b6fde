// Package pipeline is onepipe's CI/CD flow written against the Dagger engine:
// one file per stage (test, lint, pack, publish, ...) and Run, which chains them.
//
// Stages return Dagger objects (*dagger.Container, *dagger.File) so callers can
// compose them; the Check*/Publish/Run functions are the edges that evaluate.
package pipeline

import (
	"strings"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/versions"
)

// Options describe one app. The CLI fills them from flags, onepipe.yaml and the
// source folder; the Dagger module from its function arguments.
type Options struct {
	// App names the app in labels, cache volumes and reports.
	App string
	// Runtime is the Python image tests and lint run in (versions.DefaultRuntime if empty).
	Runtime string
	// Requirements are runtime requirement files, relative to the source.
	Requirements []string
	// RequirementPaths are local folders the requirement files install from;
	// they join the install layer (the rest of the source does not).
	RequirementPaths []string
	// DevRequirements are extra requirement files for tests.
	DevRequirements []string
	// PyProjectRequirements are what pyproject.toml declares for the tests
	// (its dependencies and those of its test extra); they join the
	// requirement files in the dependency layer.
	PyProjectRequirements []string
	// InstallProject says how the app itself is installed for the tests, on
	// top of the dependency layer (project.InstallNoDeps: pip install --no-deps).
	InstallProject ProjectInstall
	// LintRequirements are the project's own linter requirements (flake8 and
	// flake8-* plugins, ruff); lint installs those of the linter that runs.
	LintRequirements []string
	// LintNote is one line about the linter for the summary: why this one,
	// or that flake8 ran because ruff cannot be installed.
	LintNote string
	// Dockerfile is the Dockerfile's path relative to the source (default Dockerfile).
	Dockerfile string
	// Platforms the image is built for (default linux/amd64).
	Platforms []dagger.Platform
	// TestCommand replaces the default pytest call; $JUNIT_XML names the report path.
	TestCommand []string
	// LintTool is flake8 (default) or ruff.
	LintTool string
	// LintPaths are what lint checks (default the whole source).
	LintPaths []string
	// Labels are stamped on the image as OCI annotations.
	Labels Labels
}

// Labels are the OCI image labels that tie an image to its source.
type Labels struct {
	// Source is the project's URL.
	Source string
	// SourceDigest is the digest of the source (withSourceDigest sets it).
	SourceDigest string
	// Revision is the commit SHA.
	Revision string
	// Created is the commit time; the zero time leaves the label out, so that
	// rebuilding the same commit yields the same image.
	Created time.Time
}

// Pipeline is one app's pipeline on one engine.
type Pipeline struct {
	dag    *dagger.Client
	source *dagger.Directory
	opts   Options
	// deps and lintTools replace the dependency and linter environments
	// when they come from the registry cache (withCache).
	deps, lintTools *dagger.Container
	// imageEnv, when set, builds the image from the cached environment of
	// its Dockerfile (withCachedImageEnv).
	imageEnv *imageEnv
}

// SourceExcludes are never uploaded to the engine: they change often and no
// stage reads them, so leaving them out keeps the cache warm.
var SourceExcludes = []string{
	".git", ".onepipe", ".venv", "venv", "**/__pycache__", "**/*.pyc",
	".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", "node_modules", "*.egg-info",
	".python_packages",
}

// HostSource uploads the app folder at path, minus SourceExcludes.
func HostSource(dag *dagger.Client, path string) *dagger.Directory {
	return dag.Host().Directory(path, dagger.HostDirectoryOpts{Exclude: SourceExcludes})
}

// New returns the pipeline of the app in source.
func New(dag *dagger.Client, source *dagger.Directory, opts Options) *Pipeline {
	if opts.Runtime == "" {
		opts.Runtime = versions.DefaultRuntime
	}
	if opts.Dockerfile == "" {
		opts.Dockerfile = "Dockerfile"
	}
	if len(opts.Platforms) == 0 {
		opts.Platforms = []dagger.Platform{versions.DefaultPlatform}
	}
	if opts.LintTool == "" {
		opts.LintTool = "flake8"
	}
	if opts.App == "" {
		opts.App = "app"
	}
	return &Pipeline{dag: dag, source: source, opts: opts}
}

// Options returns the options the pipeline runs with, defaults filled in.
func (p *Pipeline) Options() Options { return p.opts }

// Source is the app's source directory as the engine sees it.
func (p *Pipeline) Source() *dagger.Directory { return p.source }

// cacheKey turns an image reference into a cache volume name part.
func cacheKey(s string) string {
	return strings.NewReplacer("/", "-", ":", "-", "@", "-").Replace(s)
}
