package kube

import (
	"strings"
	"testing"
)

// FuzzCapture feeds arbitrary responses and capture paths: Capture never
// panics, and a captured value is never the empty result of a missing field.
func FuzzCapture(f *testing.F) {
	f.Add(`{"user":{"token":"t"}}`, "user.token")
	f.Add(`{"a":[1,{"b":null}]}`, "a.1.b")
	f.Add(`[1,2]`, "0")
	f.Add(`{"a":{"":1}}`, "a.")
	f.Add(`"x"`, "a.-1")
	f.Fuzz(func(t *testing.T, body, path string) {
		got, err := Capture([]byte(body), map[string]string{"v": path})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		if _, ok := got["v"]; !ok {
			t.Fatalf("Capture succeeded without a value")
		}
	})
}

// FuzzExpand feeds arbitrary smoke templates: Expand never panics, text
// without {{ comes back unchanged, and errors are one line naming the field.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"Token {{.token}}", "{{.run}}-{{.missing}}", "{{", "{{ range .x }}", "plain", `{{printf "%s" .run}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Expand("body", s, map[string]string{"token": "t", "run": "r"})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "body: ") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("bad error: %q", err)
			}
			return
		}
		if !strings.Contains(s, "{{") && got != s {
			t.Fatalf("Expand(%q) = %q", s, got)
		}
	})
}
