// Package project inspects an app's source folder before any engine work
// starts, so that a wrong --source fails in one line instead of deep inside a
// container build. It reads the folder on the host (Inspect) or any fs.FS
// (InspectFS: the Dagger module reads the app folder into memory).
package project

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Project is what onepipe found in a source folder.
type Project struct {
	// Dir is the absolute path of the source folder ("" from InspectFS).
	Dir string
	// Dockerfile is the Dockerfile's path relative to Dir ("" when there is none).
	Dockerfile string
	// Requirements are the runtime requirement files found (requirements.txt).
	Requirements []string
	// DevRequirements are the test/lint requirement files found, and those
	// onepipe.yaml names (WithTestSettings).
	DevRequirements []string
	// LocalPaths are what the requirement files need besides themselves:
	// folders they install from (./pkg, -e .[test]) and files they include
	// (-r base.txt), relative to the source. "." is the whole source.
	LocalPaths []string
	// PyProject is true when the folder has a pyproject.toml.
	PyProject bool
	// Package is what pyproject.toml's [project] table declares (nil without one).
	Package *Package
	// TestExtra is the extra of Package installed for tests ("" none): test,
	// tests or dev, whichever is declared first, or onepipe.yaml's test.extra.
	TestExtra string
	// TestRequirements are what pyproject.toml declares for the tests: the
	// [project] dependencies and those of TestExtra. They are the dependency
	// layer's input with the requirement files.
	TestRequirements []string
	// Install says how the tests get the app itself as a package.
	Install Install
	// RuffConfig is the file that configures ruff: pyproject.toml ([tool.ruff]),
	// ruff.toml or .ruff.toml ("" when none does).
	RuffConfig string
	// Flake8Config is the file with a [flake8] section: setup.cfg, tox.ini or .flake8.
	Flake8Config string
	// BaseImage is the image named by the Dockerfile's last FROM ("" if unknown).
	BaseImage string

	// fsys is the source folder, for the methods that read more of it.
	fsys fs.FS
}

// Install says how the tests get the app itself as a package.
type Install string

const (
	// InstallNone leaves the app as files: the tests import it from the
	// working directory (a requirement file may install it: -e .).
	InstallNone Install = ""
	// InstallNoDeps installs it with pip install --no-deps on top of the
	// dependency layer, which holds its declared dependencies.
	InstallNoDeps Install = "no-deps"
	// InstallWithDeps installs it with its dependencies, which its build
	// backend computes (dynamic = ["dependencies"]).
	InstallWithDeps Install = "with-deps"
)

// ErrNoDockerfile is returned by RequireDockerfile when the Dockerfile is missing.
var ErrNoDockerfile = errors.New("no Dockerfile")

// ErrNotPython is returned for a folder with neither requirements.txt nor pyproject.toml.
var ErrNotPython = errors.New("not a Python project: add requirements.txt (or pyproject.toml) listing the app's dependencies")

// devRequirementFiles are the test/lint requirement files picked up by name.
var devRequirementFiles = []string{"requirements-dev.txt", "requirements-test.txt", "requirements_dev.txt", "test-requirements.txt"}

// Inspect looks at the folder dir on the host. It fails when dir is missing
// or is not a Python project (no requirements.txt and no pyproject.toml).
func Inspect(dir, dockerfile string) (Project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Project{}, fmt.Errorf("source %s: %w", dir, err)
	}
	st, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Project{}, fmt.Errorf("source folder %s does not exist: pass --source with the app's folder", dir)
	case err != nil:
		return Project{}, fmt.Errorf("source %s: %w", dir, err)
	case !st.IsDir():
		return Project{}, fmt.Errorf("source %s is a file, not a folder: pass --source with the app's folder", dir)
	}
	if filepath.IsAbs(dockerfile) {
		if rel, err := filepath.Rel(abs, dockerfile); err == nil {
			dockerfile = rel
		}
	}
	p, err := InspectFS(os.DirFS(abs), dockerfile)
	if errors.Is(err, ErrNotPython) {
		return Project{}, fmt.Errorf("source %s is %w", dir, ErrNotPython)
	}
	if err != nil {
		return Project{}, err
	}
	p.Dir = abs
	return p, nil
}

// InspectFS looks at a source folder given as a file system: requirement
// files, pyproject.toml, linter settings and the Dockerfile (dockerfile, a
// slash-separated path inside fsys; "" is Dockerfile). It fails when the
// folder is not a Python project or a file it needs cannot be read.
func InspectFS(fsys fs.FS, dockerfile string) (Project, error) {
	p := Project{fsys: fsys}
	if isFile(fsys, "requirements.txt") {
		p.Requirements = []string{"requirements.txt"}
	}
	for _, f := range devRequirementFiles {
		if isFile(fsys, f) {
			p.DevRequirements = append(p.DevRequirements, f)
		}
	}
	for _, f := range append(slices.Clone(p.Requirements), p.DevRequirements...) {
		if err := p.addRequirementFile(f); err != nil {
			return Project{}, err
		}
	}
	if isFile(fsys, "pyproject.toml") {
		p.PyProject = true
		data, err := fs.ReadFile(fsys, "pyproject.toml")
		if err != nil {
			return Project{}, readError("pyproject.toml", err)
		}
		py, err := parsePyProject(string(data))
		if err != nil {
			return Project{}, fmt.Errorf("pyproject.toml: %w", err)
		}
		p.Package = py.Package
		if py.Ruff {
			p.RuffConfig = "pyproject.toml"
		}
	}
	if len(p.Requirements) == 0 && !p.PyProject {
		return Project{}, fmt.Errorf("the source folder is %w", ErrNotPython)
	}
	p.findLintConfig()
	if err := p.readDockerfile(dockerfile); err != nil {
		return Project{}, err
	}
	if err := p.settleTests(""); err != nil {
		return Project{}, err
	}
	return p, nil
}

// RequireDockerfile fails with a one-line error naming the missing file.
func (p Project) RequireDockerfile(name string) error {
	if p.Dockerfile != "" {
		return nil
	}
	if name == "" {
		name = "Dockerfile"
	}
	return fmt.Errorf("%w: %s not found: add a Dockerfile to the app or pass --dockerfile", ErrNoDockerfile, filepath.Join(p.Dir, name))
}

// addRequirementFile reads a requirement file and those it includes, and
// records the local paths they need.
func (p *Project) addRequirementFile(file string) error {
	reqs, includes, err := readRequirementsTree(p.fsys, file)
	if err != nil {
		return err
	}
	for _, inc := range includes {
		if !slices.Contains(p.Requirements, inc) && !slices.Contains(p.DevRequirements, inc) {
			p.addLocalPath(inc)
		}
	}
	for _, r := range reqs {
		if r.Path == "" {
			continue
		}
		if outside(r.Path) {
			return fmt.Errorf("%s installs from %s, outside the source folder: onepipe uploads only --source, so move it inside or widen --source", file, r.Path)
		}
		p.addLocalPath(r.Path)
	}
	return nil
}

func (p *Project) addLocalPath(lp string) {
	if !slices.Contains(p.LocalPaths, lp) {
		p.LocalPaths = append(p.LocalPaths, lp)
	}
}

// readError is the one line for a file that exists but cannot be read.
func readError(name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("cannot read %s: %v: make it a readable file", name, err)
}

func outside(p string) bool {
	return p == ".." || strings.HasPrefix(p, "../")
}

func isFile(fsys fs.FS, name string) bool {
	if fsys == nil {
		return false
	}
	st, err := fs.Stat(fsys, name)
	return err == nil && !st.IsDir()
}
