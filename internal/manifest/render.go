package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

// Error is a problem in one manifest file. Line is the line in the template
// file for template errors; for YAML and object errors (Rendered true) it is
// the line in the rendered output, which differs from the template's when
// actions such as range or if add or remove lines. Text is that rendered
// line, to find it in the template.
type Error struct {
	File     string
	Line     int
	Rendered bool
	Text     string
	Msg      string
}

// Error is "FILE: line N: MSG" or "FILE: rendered line N: MSG (at TEXT)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		if e.Rendered {
			fmt.Fprintf(&b, ": rendered line %d", e.Line)
		} else {
			fmt.Fprintf(&b, ": line %d", e.Line)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if t := strings.TrimSpace(e.Text); t != "" {
		if len(t) > 80 {
			t = t[:77] + "..."
		}
		fmt.Fprintf(&b, " (at %q)", t)
	}
	return b.String()
}

// Files lists the manifest templates of dir in fsys: its *.yaml and *.yml
// files (not subfolders), sorted by name.
func Files(fsys fs.FS, dir string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("manifests folder %s does not exist: add Kubernetes manifests there or set deploy.manifests in onepipe.yaml", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read manifests folder %s: %w", dir, err)
	}
	var files []string
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if e.Type().IsRegular() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, path.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("manifests folder %s has no .yaml files", dir)
	}
	return files, nil
}

// Render executes every manifest template of dir in fsys with v, parses the
// documents they produce and checks the objects. Objects come back in file
// order, then document order; empty documents (a template that rendered to
// nothing, e.g. a migration Job when there is no migration) are skipped.
func Render(fsys fs.FS, dir string, v Values) ([]Object, error) {
	if err := v.Validate(); err != nil {
		return nil, fmt.Errorf("manifest values: %w", err)
	}
	files, err := Files(fsys, dir)
	if err != nil {
		return nil, err
	}
	var objs []Object
	for _, f := range files {
		src, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		out, err := RenderFile(f, src, v)
		if err != nil {
			return nil, err
		}
		got, err := Parse(f, out)
		if err != nil {
			return nil, err
		}
		objs = append(objs, got...)
	}
	if err := Check(objs, v); err != nil {
		return nil, err
	}
	return objs, nil
}

// RenderFile executes one template; name is the file's path, used in errors.
func RenderFile(name string, src []byte, v Values) ([]byte, error) {
	t, err := template.New(name).
		Option("missingkey=error").
		Funcs(template.FuncMap{"quote": quote}).
		Parse(string(src))
	if err != nil {
		return nil, templateError(name, err)
	}
	out := &limitedBuffer{max: maxRendered}
	if err := t.Execute(out, v); err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, &Error{File: name, Msg: fmt.Sprintf("renders to more than %d MiB: look for a range that never ends", maxRendered>>20)}
		}
		return nil, templateError(name, err)
	}
	return out.Bytes(), nil
}

// maxRendered bounds one file's rendered output.
const maxRendered = 8 << 20

var errTooLarge = errors.New("rendered output too large")

// limitedBuffer is a bytes.Buffer that refuses to grow past max.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

// Write fails with errTooLarge past max.
func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, errTooLarge
	}
	return b.Buffer.Write(p)
}

// templateErr matches text/template's "template: NAME:LINE[:COL]: MSG".
var templateErr = regexp.MustCompile(`^template: (.*?):(\d+)(?::\d+)?: (.*)$`)

// execAt matches the "executing "NAME" at <ACTION>: " part of an exec error.
var execAt = regexp.MustCompile(`^executing ".*?" at (<.*?>): `)

func templateError(name string, err error) error {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	m := templateErr.FindStringSubmatch(msg)
	if m == nil {
		return &Error{File: name, Msg: msg}
	}
	line, _ := strconv.Atoi(m[2])
	text := m[3]
	if a := execAt.FindStringSubmatch(text); a != nil {
		text = a[1] + ": " + text[len(a[0]):]
	}
	if strings.Contains(text, "can't evaluate field") {
		text += " (values: .App .Environment .Namespace .Image .Version .Replicas .Host .Port .Vars .SecretNames .SecretObjectName .Migration .Labels .ImageID)"
	}
	return &Error{File: name, Line: line, Msg: text}
}
