package project

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Package is what pyproject.toml's [project] table declares (PEP 621).
type Package struct {
	// Name is the project's name, normalized (PEP 503).
	Name string
	// Dependencies are the [project] dependencies, as written.
	Dependencies []string
	// Extras are the [project.optional-dependencies] groups, by normalized name.
	Extras map[string][]string
	// Dynamic lists the fields the build backend computes instead
	// (dependencies, optional-dependencies, ...).
	Dynamic []string
	// Buildable is true when [build-system] names a build backend, so pip can
	// install the project; an app without one is a folder of modules.
	Buildable bool
}

// dynamic reports whether the build backend computes field.
func (pk *Package) dynamic(field string) bool {
	return slices.Contains(pk.Dynamic, field)
}

// ExtraNames returns the names of the extras, sorted.
func (pk *Package) ExtraNames() []string {
	names := make([]string, 0, len(pk.Extras))
	for n := range pk.Extras {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// requirements returns the dependencies (when base) and those of the extras,
// with the project's references to its own extras (app[test] inside the dev
// extra) replaced by what they name: pip would look app up on the index.
func (pk *Package) requirements(base bool, extras []string) []string {
	var out []string
	seen := map[string]bool{}
	expanded := map[string]bool{}
	var add func(specs []string)
	addExtra := func(e string) {
		if !expanded[e] {
			expanded[e] = true
			add(pk.Extras[e])
		}
	}
	add = func(specs []string) {
		for _, s := range specs {
			if pk.Name != "" && RequirementName(s) == pk.Name {
				for _, e := range parseRequirement(s).Extras {
					addExtra(e)
				}
				continue
			}
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	if base {
		add(pk.Dependencies)
	}
	for _, e := range extras {
		addExtra(NormalizeName(e))
	}
	return out
}

// pyproject is the part of pyproject.toml onepipe reads.
type pyproject struct {
	// Package is nil when there is no [project] table.
	Package *Package
	// Ruff is true when [tool.ruff] configures ruff.
	Ruff bool
}

// parsePyProject reads pyproject.toml. Errors name the table or line at fault.
func parsePyProject(data string) (pyproject, error) {
	var doc map[string]any
	if _, err := toml.Decode(data, &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "toml: ")
		if first, _, ok := strings.Cut(msg, "\n"); ok {
			msg = first
		}
		return pyproject{}, fmt.Errorf("%s: fix the TOML", msg)
	}
	var out pyproject
	if tool, ok := doc["tool"].(map[string]any); ok {
		_, out.Ruff = tool["ruff"]
	}
	raw, ok := doc["project"]
	if !ok {
		return out, nil
	}
	proj, ok := raw.(map[string]any)
	if !ok {
		return out, errors.New("project must be a table ([project])")
	}
	pk := &Package{Extras: map[string][]string{}}
	if name, ok := proj["name"].(string); ok {
		pk.Name = NormalizeName(name)
	}
	var err error
	if pk.Dependencies, err = requirementList(proj["dependencies"], "[project] dependencies"); err != nil {
		return out, err
	}
	if pk.Dynamic, err = stringList(proj["dynamic"], "[project] dynamic"); err != nil {
		return out, err
	}
	if raw, ok := proj["optional-dependencies"]; ok {
		groups, ok := raw.(map[string]any)
		if !ok {
			return out, errors.New("[project.optional-dependencies] must be a table of lists of requirements")
		}
		for name, list := range groups {
			reqs, err := requirementList(list, fmt.Sprintf("[project.optional-dependencies] %s", name))
			if err != nil {
				return out, err
			}
			n := NormalizeName(name)
			pk.Extras[n] = append(pk.Extras[n], reqs...)
		}
	}
	if bs, ok := doc["build-system"].(map[string]any); ok {
		backend, _ := bs["build-backend"].(string)
		pk.Buildable = backend != ""
	}
	out.Package = pk
	return out, nil
}

// stringList reads a TOML array of strings (nil when absent).
func stringList(v any, what string) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be a list of strings", what)
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("%s must be a list of strings", what)
		}
		out = append(out, s)
	}
	return out, nil
}

// requirementList reads a TOML array of PEP 508 requirements.
func requirementList(v any, what string) ([]string, error) {
	list, err := stringList(v, what)
	if err != nil {
		return nil, fmt.Errorf("%s (PEP 508 requirements such as \"flask>=3\")", err)
	}
	for i, s := range list {
		s = strings.TrimSpace(s)
		if nameRe.FindString(s) == "" {
			return nil, fmt.Errorf("%s: %q is not a requirement: start it with a project name, as in \"flask>=3\"", what, s)
		}
		list[i] = s
	}
	return list, nil
}
