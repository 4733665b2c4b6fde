// Package project inspects an app's source folder on the host before any engine
// work starts, so that a wrong --source fails in one line instead of deep inside
// a container build.
package project

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Project is what onepipe found in a source folder.
type Project struct {
	// Dir is the absolute path of the source folder.
	Dir string
	// Dockerfile is the Dockerfile's path relative to Dir ("" when there is none).
	Dockerfile string
	// Requirements are the runtime requirement files found (requirements.txt).
	Requirements []string
	// DevRequirements are the test/lint requirement files found.
	DevRequirements []string
	// LocalPaths are folders the requirement files install from (./pkg).
	LocalPaths []string
	// PyProject is true when the folder has a pyproject.toml.
	PyProject bool
	// BaseImage is the image named by the Dockerfile's last FROM ("" if unknown).
	BaseImage string
}

// ErrNoDockerfile is returned by RequireDockerfile when the Dockerfile is missing.
var ErrNoDockerfile = errors.New("no Dockerfile")

// Inspect looks at dir. It fails when dir is missing or is not a Python project
// (no requirements.txt and no pyproject.toml).
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
	p := Project{Dir: abs}
	if exists(abs, "requirements.txt") {
		p.Requirements = []string{"requirements.txt"}
	}
	for _, f := range []string{"requirements-dev.txt", "requirements-test.txt", "requirements_dev.txt", "test-requirements.txt"} {
		if exists(abs, f) {
			p.DevRequirements = append(p.DevRequirements, f)
		}
	}
	for _, f := range append(append([]string{}, p.Requirements...), p.DevRequirements...) {
		data, err := os.ReadFile(filepath.Join(abs, f))
		if err != nil {
			continue
		}
		for _, lp := range LocalRequirementPaths(string(data)) {
			if lp == ".." || strings.HasPrefix(lp, "../") {
				return Project{}, fmt.Errorf("%s installs from %s, outside the source folder: onepipe uploads only --source, so move it inside or widen --source", f, lp)
			}
			p.LocalPaths = append(p.LocalPaths, lp)
		}
	}
	p.PyProject = exists(abs, "pyproject.toml")
	if len(p.Requirements) == 0 && !p.PyProject {
		return Project{}, fmt.Errorf("source %s is not a Python project: add requirements.txt (or pyproject.toml) listing the app's dependencies", dir)
	}
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	if data, err := os.ReadFile(filepath.Join(abs, dockerfile)); err == nil {
		p.Dockerfile = dockerfile
		p.BaseImage = LastFrom(string(data))
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

// LastFrom returns the image of the last FROM instruction of a Dockerfile, the
// stage that becomes the image. Stage names (FROM x AS y) and --platform flags
// are skipped; a FROM that names an earlier stage resolves to that stage's image.
// It returns "" when there is no FROM or the image is built from an ARG.
func LastFrom(dockerfile string) string {
	stages := map[string]string{}
	last := ""
	sc := bufio.NewScanner(strings.NewReader(dockerfile))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || !strings.EqualFold(fields[0], "FROM") {
			continue
		}
		args := fields[1:]
		for len(args) > 0 && strings.HasPrefix(args[0], "--") {
			args = args[1:]
		}
		if len(args) == 0 {
			continue
		}
		image := args[0]
		if prev, ok := stages[strings.ToLower(image)]; ok {
			image = prev
		}
		if strings.Contains(image, "$") {
			image = ""
		}
		if len(args) >= 3 && strings.EqualFold(args[1], "AS") {
			stages[strings.ToLower(args[2])] = image
		}
		last = image
	}
	return last
}

// IsPythonImage reports whether an image reference looks like a Python runtime
// image that can run the app's tests (python:*, */python:*).
func IsPythonImage(ref string) bool {
	name := ref
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	return name == "python" || strings.HasPrefix(name, "python:") || strings.HasPrefix(name, "python@")
}

func exists(dir, name string) bool {
	st, err := os.Stat(filepath.Join(dir, name))
	return err == nil && !st.IsDir()
}

// LocalRequirementPaths returns the local folders a requirements file
// installs from (./pkg, ../lib, -e ./pkg, file:./pkg), cleaned and relative,
// so the install layer can include them and nothing else of the source.
func LocalRequirementPaths(requirements string) []string {
	var out []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(requirements))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, " #"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		for _, prefix := range []string{"-e ", "--editable ", "--editable="} {
			line = strings.TrimSpace(strings.TrimPrefix(line, prefix))
		}
		line = strings.TrimPrefix(line, "file:")
		if line != "." && !strings.HasPrefix(line, "./") && !strings.HasPrefix(line, "../") {
			continue
		}
		if i := strings.IndexAny(line, "[;"); i >= 0 { // extras, markers
			line = line[:i]
		}
		p := filepath.Clean(line)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
