package plan

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/onepipe/onepipe/internal/secretref"
)

// HostSecrets reads secret references on the machine running onepipe: env:NAME
// from its environment, file:PATH from its disk.
type HostSecrets struct {
	LookupEnv func(string) (string, bool)
	ReadFile  func(string) ([]byte, error)
}

// Lookup resolves ref; the error never holds the value.
func (h HostSecrets) Lookup(field, ref string) (string, error) {
	r, err := secretref.ParseFor(field, ref)
	if err != nil {
		return "", err
	}
	return r.Resolve(h.LookupEnv, h.ReadFile)
}

// ValueSecrets resolves env:NAME references against NAME=value pairs handed
// over whole, as the Dagger module receives them (one secret of dotenv
// lines); file:PATH references cannot be read there.
type ValueSecrets map[string]string

// Lookup resolves ref from the pairs; the error never holds a value.
func (v ValueSecrets) Lookup(field, ref string) (string, error) {
	r, err := secretref.ParseFor(field, ref)
	if err != nil {
		return "", err
	}
	if r.Kind != "env" {
		return "", fmt.Errorf("%s: %s is a file on the machine running onepipe, which a Dagger function cannot read: pass the value in --secrets as NAME=value and refer to it as env:NAME", field, ref)
	}
	return r.Resolve(func(name string) (string, bool) { s, ok := v[name]; return s, ok }, nil)
}

// ParseDotenv reads NAME=value lines (blank lines and # comments skipped,
// an optional export prefix, values optionally quoted), the form the Dagger
// module takes secrets in. Errors name the line, never a value.
func ParseDotenv(data string) (ValueSecrets, error) {
	out := ValueSecrets{}
	for i, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		name = strings.TrimSpace(name)
		if !ok || !envName.MatchString(name) {
			return nil, fmt.Errorf("secrets line %d: write NAME=value", i+1)
		}
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		out[name] = value
	}
	return out, nil
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
