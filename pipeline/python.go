package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/project"
	"github.com/onepipe/onepipe/internal/versions"
)

// ProjectInstall says how the app itself is installed for the tests
// (project.InstallNone, InstallNoDeps, InstallWithDeps).
type ProjectInstall = project.Install

// projectDir is where the source is mounted while pip installs the app
// itself, so that the build's leftovers (build/, *.egg-info) stay out of /app.
const projectDir = "/tmp/onepipe-project"

// python returns the runtime image ready for pip: no version check, no .pyc
// files, and pip's download cache in a cache volume shared by every run on
// the engine.
func (p *Pipeline) python() *dagger.Container {
	return p.dag.Container().
		From(p.opts.Runtime).
		WithEnvVariable("PIP_DISABLE_PIP_VERSION_CHECK", "1").
		WithEnvVariable("PYTHONDONTWRITEBYTECODE", "1").
		WithMountedCache("/root/.cache/pip", p.dag.CacheVolume("onepipe-pip-"+cacheKey(p.opts.Runtime))).
		WithWorkdir(appDir)
}

// installCommand is the dependency layer's pip command: the requirement
// files and the requirements pyproject.toml declares, in one resolver run.
// It is nil when there is nothing to install.
func installCommand(files, requirements []string) []string {
	if len(files)+len(requirements) == 0 {
		return nil
	}
	cmd := []string{"python", "-m", "pip", "install"}
	for _, f := range files {
		cmd = append(cmd, "-r", f)
	}
	return append(cmd, requirements...)
}

// installInputs are the include patterns of the part of the source the
// dependency layer sees: the requirement files and the local paths they need
// (folders they install from, files they include). whole is true when a path
// is the source itself (-e .); no patterns and not whole means nothing.
func installInputs(files, paths []string) (include []string, whole bool) {
	for _, f := range files {
		include = append(include, f)
	}
	for _, p := range paths {
		if p == "." {
			return nil, true
		}
		include = append(include, p, p+"/**")
	}
	return include, false
}

// projectInstallCommand installs the app itself from projectDir (nil: it is
// not installed). --no-deps: its dependencies are in the dependency layer.
func projectInstallCommand(mode ProjectInstall) []string {
	switch mode {
	case project.InstallNoDeps:
		return []string{"python", "-m", "pip", "install", "--no-deps", projectDir}
	case project.InstallWithDeps:
		return []string{"python", "-m", "pip", "install", projectDir}
	}
	return nil
}

// lintPackages are what pip installs for the linter: the project's own
// requirements of that tool (its pin, its flake8 plugins) and the pinned
// default when the project pins no version of the tool itself.
func lintPackages(tool string, declared []string) []string {
	var out []string
	pinned := false
	for _, spec := range declared {
		name := project.RequirementName(spec)
		switch {
		case name == tool:
			pinned = true
		case tool == project.Flake8 && project.IsLinterRequirement(spec) && name != project.Ruff:
		default:
			continue
		}
		out = append(out, spec)
	}
	if !pinned {
		def := versions.Flake8
		if tool == project.Ruff {
			def = versions.Ruff
		}
		out = append([]string{def}, out...)
	}
	return out
}

// lintCommand runs the linter from the source root, where it finds the
// project's settings (setup.cfg, tox.ini, .flake8; pyproject.toml,
// ruff.toml), and passes nothing that overrides them: only where to write
// the report (ruff: its concise format, which the report parser reads).
func lintCommand(tool string, paths []string) []string {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	if tool == project.Ruff {
		return append([]string{"ruff", "check", "--output-format=concise", "--no-cache", "--output-file=" + LintReportPath}, paths...)
	}
	return append([]string{"python", "-m", "flake8", "--output-file=" + LintReportPath}, paths...)
}

// WithInstallableLinter returns the pipeline with a linter that can be
// installed in the runtime image: when Options.LintTool is ruff and pip
// cannot install it there (no package index, as offline), flake8 runs
// instead and Options.LintNote says so in one line. Other linters return the
// pipeline unchanged without touching the engine. Call it before Run.
func (p *Pipeline) WithInstallableLinter(ctx context.Context) (*Pipeline, error) {
	if p.opts.LintTool != project.Ruff {
		return p, nil
	}
	probe := append([]string{"python", "-m", "pip", "install", "--dry-run", "--no-deps", "--quiet"}, lintPackages(project.Ruff, p.opts.LintRequirements)...)
	_, _, err := execFresh(ctx, p.python(), probe, strconv.FormatInt(time.Now().UnixNano(), 36))
	var cmdErr *CommandError
	switch {
	case err == nil:
		return p, nil
	case !errors.As(err, &cmdErr):
		return nil, fmt.Errorf("lint: check that ruff can be installed: %w", err)
	}
	opts := p.opts
	opts.LintTool, opts.LintNote = ruffFallback(p.opts.LintNote, cmdErr.Output)
	return New(p.dag, p.source, opts), nil
}

// ruffFallback is the linter and the note when ruff cannot be installed:
// reason is why ruff was picked ("" when unknown), why what pip said.
func ruffFallback(reason, why string) (tool, note string) {
	note = "ruff cannot be installed"
	if why = strings.TrimSpace(strings.TrimPrefix(why, "ERROR:")); why != "" {
		note += " (" + why + ")"
	}
	if reason != "" {
		note = reason + ", but " + note
	}
	return project.Flake8, note + ": linted with flake8 instead"
}

// testFiles are the requirement files the tests install, runtime first.
func (p *Pipeline) testFiles() []string {
	return append(slices.Clone(p.opts.Requirements), p.opts.DevRequirements...)
}
