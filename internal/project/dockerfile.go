package project

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
)

// readDockerfile records the Dockerfile (name, "" for Dockerfile) and its
// base image. A missing Dockerfile is no error here (RequireDockerfile says
// so when a stage needs it); one that exists but cannot be read is.
func (p *Project) readDockerfile(name string) error {
	if name == "" {
		name = "Dockerfile"
	}
	clean := path.Clean(filepath.ToSlash(name))
	if !fs.ValidPath(clean) {
		return fmt.Errorf("dockerfile %s is outside the source folder: onepipe uploads only --source, so pass --dockerfile with a path inside it", name)
	}
	st, err := fs.Stat(p.fsys, clean)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return readError(name, err)
	case st.IsDir():
		return fmt.Errorf("cannot read %s: it is a folder, not a file: pass --dockerfile with the Dockerfile's path", name)
	}
	data, err := fs.ReadFile(p.fsys, clean)
	if err != nil {
		return readError(name, err)
	}
	p.Dockerfile = name
	p.BaseImage = LastFrom(string(data))
	return nil
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
