// Package secretref parses and resolves references to secrets: env:NAME reads
// an environment variable, file:PATH a file. onepipe.yaml and flags hold these
// references, never secret values, so a config file can be committed safely.
package secretref

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
)

// Ref points at a secret on the machine running onepipe.
type Ref struct {
	// Kind is "env" or "file".
	Kind string
	// Name is the environment variable name or the file path.
	Name string
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Parse reads "env:NAME" or "file:PATH" (env://NAME and file://PATH too).
func Parse(s string) (Ref, error) { return ParseFor("secret", s) }

// ParseFor is Parse with the name of the setting being read, used in errors
// instead of the input, which may be a secret pasted by mistake.
func ParseFor(field, s string) (Ref, error) {
	kind, name, ok := strings.Cut(strings.TrimSpace(s), ":")
	name = strings.TrimPrefix(name, "//")
	switch {
	case ok && kind == "env" && envName.MatchString(name):
		return Ref{Kind: "env", Name: name}, nil
	case ok && kind == "env":
		return Ref{}, fmt.Errorf("%s: env:%s is not a valid variable name: use env:NAME with letters, digits and _", field, name)
	case ok && kind == "file" && name != "":
		return Ref{Kind: "file", Name: name}, nil
	}
	return Ref{}, fmt.Errorf("%s must be a secret reference: use env:NAME or file:PATH, never the secret itself", field)
}

// String returns the reference in its canonical form.
func (r Ref) String() string { return r.Kind + ":" + r.Name }

// Resolve reads the secret. An unset or empty variable, or a missing or empty
// file, is an error naming the reference and which of these it is; a file's
// trailing newline is dropped (editors and `echo` add one). Errors never
// contain the value.
func (r Ref) Resolve(lookupEnv func(string) (string, bool), readFile func(string) ([]byte, error)) (string, error) {
	switch r.Kind {
	case "env":
		v, ok := lookupEnv(r.Name)
		if !ok {
			return "", fmt.Errorf("secret %s is not set: export %s (in CI: a masked/secret variable) or change the reference", r, r.Name)
		}
		if v == "" {
			return "", fmt.Errorf("secret %s is set but empty: give %s the secret's value (in CI: check the secret variable exists and reaches this job) or change the reference", r, r.Name)
		}
		return v, nil
	case "file":
		data, err := readFile(r.Name)
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("secret %s: file not found: create it or change the reference", r)
		}
		if err != nil {
			return "", fmt.Errorf("secret %s: %w", r, err)
		}
		v := strings.TrimRight(string(data), "\r\n")
		if v == "" {
			return "", fmt.Errorf("secret %s: file %s is empty: write the secret into it or change the reference", r, r.Name)
		}
		return v, nil
	}
	return "", fmt.Errorf("secret reference %q has unknown kind %q", r.String(), r.Kind)
}

// ResolveAll resolves a map of name → reference. It checks every entry before
// returning, so one error lists every missing secret, sorted by name.
func ResolveAll(refs map[string]string, lookupEnv func(string) (string, bool), readFile func(string) ([]byte, error)) (map[string]string, error) {
	names := make([]string, 0, len(refs))
	for n := range refs {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make(map[string]string, len(refs))
	var problems []string
	for _, n := range names {
		r, err := ParseFor(n, refs[n])
		if err == nil {
			out[n], err = r.Resolve(lookupEnv, readFile)
		}
		if err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	return out, nil
}
