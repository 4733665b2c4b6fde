package project

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// WithTestSettings completes the inspection with onepipe.yaml's test
// settings: extra names the extra of pyproject.toml installed for tests (""
// picks test, tests or dev) and requirements are more requirement files for
// tests, relative to the source. It fails, in one line, on an extra
// pyproject.toml does not declare or a file that is not there.
func (p Project) WithTestSettings(extra string, requirements []string) (Project, error) {
	p.DevRequirements = slices.Clone(p.DevRequirements)
	p.LocalPaths = slices.Clone(p.LocalPaths)
	for _, f := range requirements {
		name := path.Clean(filepath.ToSlash(f))
		if !fs.ValidPath(name) {
			return Project{}, fmt.Errorf("test.requirements: %s is outside the source folder: name a file inside it", f)
		}
		if !isFile(p.fsys, name) {
			return Project{}, fmt.Errorf("test.requirements: %s is not a file in the source folder: fix the name or add the file", f)
		}
		if slices.Contains(p.Requirements, name) || slices.Contains(p.DevRequirements, name) {
			continue
		}
		p.DevRequirements = append(p.DevRequirements, name)
		if err := p.addRequirementFile(name); err != nil {
			return Project{}, err
		}
	}
	if err := p.settleTests(extra); err != nil {
		return Project{}, err
	}
	return p, nil
}

// settleTests picks the test extra and what pyproject.toml installs for tests.
func (p *Project) settleTests(extra string) error {
	chosen, err := p.chooseExtra(extra)
	if err != nil {
		return err
	}
	p.TestExtra, p.TestRequirements, p.Install = chosen, nil, InstallNone
	pk := p.Package
	if pk == nil {
		return nil
	}
	viaFile := slices.Contains(p.LocalPaths, ".") // -e . in a requirement file installs the app
	var extras []string
	if chosen != "" {
		extras = []string{chosen}
	}
	p.TestRequirements = pk.requirements(!viaFile && !pk.dynamic("dependencies"), extras)
	for _, s := range p.TestRequirements {
		if r := parseRequirement(s); r.Path != "" {
			if outside(r.Path) {
				return fmt.Errorf("pyproject.toml: %s installs from %s, outside the source folder: onepipe uploads only --source, so move it inside or widen --source", s, r.Path)
			}
			p.addLocalPath(r.Path)
		}
	}
	switch {
	case viaFile || !pk.Buildable:
		p.Install = InstallNone
	case pk.dynamic("dependencies"):
		p.Install = InstallWithDeps
	default:
		p.Install = InstallNoDeps
	}
	return nil
}

// chooseExtra returns the extra installed for tests: name when given (it must
// be declared), else the first of test, tests and dev that is.
func (p *Project) chooseExtra(name string) (string, error) {
	if name == "" {
		if p.Package == nil {
			return "", nil
		}
		for _, e := range []string{"test", "tests", "dev"} {
			if _, ok := p.Package.Extras[e]; ok {
				return e, nil
			}
		}
		return "", nil
	}
	switch {
	case !p.PyProject:
		return "", fmt.Errorf("test.extra %q: the app has no pyproject.toml to take extras from: remove test.extra or add pyproject.toml", name)
	case p.Package == nil:
		return "", fmt.Errorf("test.extra %q: pyproject.toml has no [project] table to take extras from: declare [project.optional-dependencies] %s = [...]", name, name)
	}
	n := NormalizeName(name)
	if _, ok := p.Package.Extras[n]; !ok {
		has := "none"
		if names := p.Package.ExtraNames(); len(names) > 0 {
			has = strings.Join(names, ", ")
		}
		return "", fmt.Errorf("test.extra %q: pyproject.toml declares no such extra (its extras: %s): fix test.extra or declare [project.optional-dependencies] %s", name, has, name)
	}
	return n, nil
}

// MissingTestTool fails, in one line naming the file to add it to, when the
// default test command (testCommand empty: python -m pytest) would find no
// pytest: no requirement file, pyproject.toml dependency or test extra the
// tests install declares pytest or a pytest plugin (which brings it). It
// decides from the declarations alone, before anything runs; when one of them
// cannot be known (a URL, a local package whose dependencies its build backend
// computes) it assumes pytest comes with it. A custom test command is the
// user's business: it returns nil.
func (p Project) MissingTestTool(testCommand []string) error {
	if len(testCommand) > 0 {
		return nil
	}
	names, known := p.testInstalls()
	if !known {
		return nil
	}
	for _, n := range names {
		if n == "pytest" || strings.HasPrefix(n, "pytest-") {
			return nil
		}
	}
	return fmt.Errorf("test: pytest is not installed: %s", p.addPytestHint())
}

// addPytestHint says where to declare pytest.
func (p Project) addPytestHint() string {
	extra := "the test extra"
	if p.TestExtra != "" {
		extra = fmt.Sprintf("the %s extra", p.TestExtra)
	}
	switch {
	case p.Package != nil && len(p.Requirements) == 0 && len(p.DevRequirements) == 0:
		name := p.TestExtra
		if name == "" {
			name = "test"
		}
		return fmt.Sprintf("add pytest to %s of pyproject.toml ([project.optional-dependencies] %s = [\"pytest\"]) or to requirements-dev.txt", extra, name)
	case len(p.DevRequirements) > 0 && p.Package != nil:
		return fmt.Sprintf("add pytest to %s (or to %s of pyproject.toml)", p.DevRequirements[0], extra)
	case len(p.DevRequirements) > 0:
		return fmt.Sprintf("add pytest to %s", p.DevRequirements[0])
	case p.Package != nil:
		return fmt.Sprintf("add pytest to requirements-dev.txt (or to %s of pyproject.toml)", extra)
	}
	return "add pytest to requirements-dev.txt (the tests' requirements; requirements.txt is what the app needs to run)"
}

// testInstalls returns the normalized names of everything the test
// environment installs, and false when some of it cannot be known from the
// declarations.
func (p Project) testInstalls() ([]string, bool) {
	if p.fsys == nil {
		return nil, false
	}
	var reqs []requirement
	for _, f := range append(slices.Clone(p.Requirements), p.DevRequirements...) {
		tree, _, err := readRequirementsTree(p.fsys, f)
		if err != nil {
			return nil, false
		}
		reqs = append(reqs, tree...)
	}
	for _, s := range p.TestRequirements {
		reqs = append(reqs, parseRequirement(s))
	}
	if p.Install == InstallWithDeps {
		return nil, false
	}
	var names []string
	for _, r := range reqs {
		if r.URL && r.Name == "" {
			return nil, false
		}
		if r.Name != "" {
			names = append(names, r.Name)
		}
		if r.Path == "" {
			continue
		}
		pk := p.Package
		if r.Path != "." {
			pk = p.localPackage(r.Path)
		}
		if pk == nil || pk.dynamic("dependencies") || (len(r.Extras) > 0 && pk.dynamic("optional-dependencies")) {
			return nil, false
		}
		for _, s := range pk.requirements(true, r.Extras) {
			if n := RequirementName(s); n != "" {
				names = append(names, n)
			}
		}
	}
	return names, true
}

// localPackage is the [project] table of the package in the folder dir of
// the source (nil when it has none or it cannot be read).
func (p Project) localPackage(dir string) *Package {
	data, err := fs.ReadFile(p.fsys, path.Join(dir, "pyproject.toml"))
	if err != nil {
		return nil
	}
	py, err := parsePyProject(string(data))
	if err != nil {
		return nil
	}
	return py.Package
}
