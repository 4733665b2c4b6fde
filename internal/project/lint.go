package project

import (
	"io/fs"
	"slices"
	"strings"
)

// The linters onepipe runs.
const (
	Flake8 = "flake8"
	Ruff   = "ruff"
)

// LintChoice is the linter a project gets and why.
type LintChoice struct {
	// Tool is flake8 or ruff.
	Tool string
	// Reason says why, for the summary: "lint.tool in onepipe.yaml",
	// "pyproject.toml configures ruff", "setup.cfg configures flake8", "the default".
	Reason string
}

// Linter picks the linter: configured (onepipe.yaml's lint.tool, "" when
// unset) wins; else the one the project configures (flake8 when both are);
// else flake8. Whether ruff can be installed is the pipeline's question.
func (p Project) Linter(configured string) LintChoice {
	switch {
	case configured != "":
		return LintChoice{Tool: configured, Reason: "lint.tool in onepipe.yaml"}
	case p.Flake8Config != "":
		return LintChoice{Tool: Flake8, Reason: p.Flake8Config + " configures flake8"}
	case p.RuffConfig != "":
		return LintChoice{Tool: Ruff, Reason: p.RuffConfig + " configures ruff"}
	}
	return LintChoice{Tool: Flake8, Reason: "the default"}
}

// LintRequirements are the linter requirements the project declares, as
// written: flake8 and its plugins (flake8-*), and ruff, from the requirement
// files and pyproject.toml (dependencies and every extra). The lint
// environment installs those of the linter that runs, so the project's pins
// and the plugins its settings select are there.
func (p Project) LintRequirements() []string {
	var specs []string
	for _, f := range append(slices.Clone(p.Requirements), p.DevRequirements...) {
		reqs, _, err := readRequirementsTree(p.fsys, f)
		if err != nil {
			continue
		}
		for _, r := range reqs {
			if r.Spec != "" && r.Path == "" && !r.URL {
				specs = append(specs, r.Spec)
			}
		}
	}
	if p.Package != nil {
		specs = append(specs, p.Package.requirements(true, p.Package.ExtraNames())...)
	}
	var out []string
	for _, s := range specs {
		if IsLinterRequirement(s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// IsLinterRequirement reports whether a requirement names flake8, a flake8
// plugin (flake8-*) or ruff.
func IsLinterRequirement(spec string) bool {
	n := RequirementName(spec)
	return n == Flake8 || n == Ruff || strings.HasPrefix(n, "flake8-")
}

// findLintConfig records which files configure ruff and flake8.
func (p *Project) findLintConfig() {
	if p.RuffConfig == "" {
		for _, f := range []string{"ruff.toml", ".ruff.toml"} {
			if isFile(p.fsys, f) {
				p.RuffConfig = f
				break
			}
		}
	}
	for _, f := range []string{"setup.cfg", "tox.ini", ".flake8"} {
		data, err := fs.ReadFile(p.fsys, f)
		if err == nil && hasSection(string(data), "flake8") {
			p.Flake8Config = f
			return
		}
	}
}

// hasSection reports whether an INI file has a [name] section.
func hasSection(ini, name string) bool {
	for _, line := range strings.Split(ini, "\n") {
		if strings.TrimSpace(line) == "["+name+"]" {
			return true
		}
	}
	return false
}
