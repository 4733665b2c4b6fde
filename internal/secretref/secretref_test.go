package secretref

import (
	"io/fs"
	"strings"
	"testing"
)

const secretValue = "s3cr3t-Value-123"

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func files(m map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		v, ok := m[p]
		if !ok {
			return nil, fs.ErrNotExist
		}
		return []byte(v), nil
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Ref
		wantErr string
	}{
		{"env:REGISTRY_PASSWORD", Ref{"env", "REGISTRY_PASSWORD"}, ""},
		{"env://TOKEN", Ref{"env", "TOKEN"}, ""},
		{" file:/run/secrets/kubeconfig ", Ref{"file", "/run/secrets/kubeconfig"}, ""},
		{"file://relative/path", Ref{"file", "relative/path"}, ""},
		{"env:1BAD", Ref{}, "not a valid variable name"},
		{"env:", Ref{}, "not a valid variable name"},
		{"file:", Ref{}, "must be a secret reference"},
		{secretValue, Ref{}, "must be a secret reference"},
		{"vault:x", Ref{}, "must be a secret reference"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFor("registry password", tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), secretValue) {
					t.Errorf("error echoes the input: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	e := env(map[string]string{"SET": secretValue, "EMPTY": ""})
	f := files(map[string]string{"/s": secretValue + "\n", "/empty": "\n", "/zero": ""})
	tests := []struct {
		ref     string
		want    string
		wantErr string
	}{
		{"env:SET", secretValue, ""},
		{"env:UNSET", "", "secret env:UNSET is not set: export UNSET"},
		{"env:EMPTY", "", "secret env:EMPTY is set but empty: give EMPTY the secret's value"},
		{"file:/s", secretValue, ""},
		{"file:/nope", "", "file:/nope: file not found"},
		{"file:/empty", "", "secret file:/empty: file /empty is empty: write the secret into it"},
		{"file:/zero", "", "secret file:/zero: file /zero is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			r, err := Parse(tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.Resolve(e, f)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "not set") && strings.Contains(err.Error(), "empty") {
					t.Errorf("err = %v: say either not set or empty, not both", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
}

func TestResolveAllListsEveryMissing(t *testing.T) {
	refs := map[string]string{"DB_PASSWORD": "env:DB_PW", "API_KEY": "env:API", "OK": "env:SET", "BAD": secretValue}
	_, err := ResolveAll(refs, env(map[string]string{"SET": secretValue}), files(nil))
	if err == nil {
		t.Fatal("want error")
	}
	msg := err.Error()
	for _, want := range []string{"env:API", "env:DB_PW", "BAD must be a secret reference"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Index(msg, "API") > strings.Index(msg, "DB_PW") {
		t.Errorf("errors not sorted by name: %q", msg)
	}
	if strings.Contains(msg, secretValue) {
		t.Errorf("error leaks a value: %q", msg)
	}
	got, err := ResolveAll(map[string]string{"OK": "env:SET"}, env(map[string]string{"SET": "v"}), files(nil))
	if err != nil || got["OK"] != "v" {
		t.Errorf("got %v, %v", got, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"env:A", "file:/x", "env://B", "x", "env:", "file://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			return
		}
		if r.Kind != "env" && r.Kind != "file" || r.Name == "" {
			t.Errorf("Parse(%q) = %+v", s, r)
		}
		if r.Kind == "env" && !envName.MatchString(r.Name) {
			t.Errorf("Parse(%q) accepted env name %q", s, r.Name)
		}
	})
}
