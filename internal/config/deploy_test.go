package config

import (
	"strings"
	"testing"
	"time"
)

func TestDeployValidate(t *testing.T) {
	ok := SmokeCheck{Path: "/api/health"}
	tests := []struct {
		name string
		d    Deploy
		want string
	}{
		{"empty", Deploy{}, ""},
		{"full", Deploy{Manifests: "k8s/prod", Port: 8000, Migration: []string{"flask", "db", "upgrade"}, Timeout: "90s", Smoke: []SmokeCheck{
			{Name: "register", Method: "post", Path: "/api/users", Body: `{"u":"{{.run}}"}`, Status: 201, Capture: map[string]string{"token": "user.token"}},
			{Path: "/api/user", Headers: map[string]string{"Authorization": "Token {{.token}}"}, Contains: "{{.run}}"},
		}}, ""},
		{"manifests outside", Deploy{Manifests: "../shared/k8s"}, `deploy.manifests "../shared/k8s": use a folder inside the app's source, e.g. deploy/k8s`},
		{"manifests absolute", Deploy{Manifests: "/etc/k8s"}, `deploy.manifests "/etc/k8s": use a folder inside the app's source, e.g. deploy/k8s`},
		{"port", Deploy{Port: 70000}, "deploy.port 70000: use a port between 1 and 65535"},
		{"timeout", Deploy{Timeout: "5"}, `deploy.timeout "5": use a positive duration such as 90s, 5m or 1h`},
		{"negative timeout", Deploy{Timeout: "-1m"}, `deploy.timeout "-1m": use a positive duration such as 90s, 5m or 1h`},
		{"migration word", Deploy{Migration: []string{"flask", " "}}, "deploy.migration[1] is empty: list the command's words, e.g. [flask, db, upgrade]"},
		{"path", Deploy{Smoke: []SmokeCheck{ok, {Path: "api"}}}, `deploy.smoke[1]: path "api": start it with /, e.g. /api/health`},
		{"method", Deploy{Smoke: []SmokeCheck{{Path: "/", Method: "FETCH"}}}, `deploy.smoke[0]: method "FETCH": use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS`},
		{"status", Deploy{Smoke: []SmokeCheck{{Path: "/", Status: 42}}}, "deploy.smoke[0]: status 42: use an HTTP status between 100 and 599"},
		{"template", Deploy{Smoke: []SmokeCheck{{Path: "/", Body: "{{.x"}}}, `deploy.smoke[0]: body: template: body:1: unclosed action`},
		{"contains template", Deploy{Smoke: []SmokeCheck{{Path: "/", Contains: "{{end}}"}}}, `deploy.smoke[0]: contains: template: contains:1: unexpected {{end}}`},
		{"header name", Deploy{Smoke: []SmokeCheck{{Path: "/", Headers: map[string]string{"Bad Header": "x"}}}}, `deploy.smoke[0]: headers: "Bad Header" is not a valid header name`},
		{"capture name", Deploy{Smoke: []SmokeCheck{{Path: "/", Capture: map[string]string{"a-b": "x"}}}}, `deploy.smoke[0]: capture: name "a-b": use letters, digits and _ (it is used as {{.a-b}})`},
		{"capture path", Deploy{Smoke: []SmokeCheck{{Path: "/", Capture: map[string]string{"t": "user."}}}}, `deploy.smoke[0]: capture.t: path "user." has an empty segment: write fields as a.b.c`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deployErrText(tt.d.Validate()); got != tt.want {
				t.Errorf("Validate()\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDeployDefaults(t *testing.T) {
	d := Deploy{}.WithDefaults()
	if d.Manifests != "deploy/k8s" || d.Port != 8000 {
		t.Errorf("defaults: %+v", d)
	}
	if d := (Deploy{Manifests: "k8s", Port: 5000}).WithDefaults(); d.Manifests != "k8s" || d.Port != 5000 {
		t.Errorf("defaults overrode settings: %+v", d)
	}
	if got, err := (Deploy{}).TimeoutDuration(); got != 5*time.Minute || err != nil {
		t.Errorf("default timeout %v %v", got, err)
	}
	if got, err := (Deploy{Timeout: "90s"}).TimeoutDuration(); got != 90*time.Second || err != nil {
		t.Errorf("timeout %v %v", got, err)
	}
}

// TestFlaskExampleConfig: the example's onepipe.yaml parses strictly and its
// deploy and cluster settings validate.
func TestFlaskExampleConfig(t *testing.T) {
	c, err := Load("../../examples/flask")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Deploy.Validate(); err != nil {
		t.Error(err)
	}
	prod := c.Environments["prod"]
	if !prod.Protected || prod.Replicas != 2 || prod.Cluster.ProviderName() != ProviderKops || c.Environments["dev"].Cluster.ProviderName() != ProviderLocal {
		t.Errorf("prod: %+v", prod)
	}
	if strings.Join(c.Deploy.Migration, " ") != "flask db upgrade" || c.Deploy.Port != 8000 || len(c.Deploy.Smoke) != 5 {
		t.Errorf("deploy: %+v", c.Deploy)
	}
}

func TestParseJSONPath(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"user.token", "user|token", ""},
		{"articles.0.slug", "articles|0|slug", ""},
		{"", "", "empty path: name a field of the JSON response, e.g. user.token"},
		{".a", "", `path ".a" has an empty segment: write fields as a.b.c`},
		{"a b", "", `path "a b" has a space or control character: write fields as a.b.c`},
	}
	for _, tt := range tests {
		got, err := ParseJSONPath(tt.in)
		if strings.Join(got, "|") != tt.want || deployErrText(err) != tt.err {
			t.Errorf("ParseJSONPath(%q) = %q, %v", tt.in, got, err)
		}
	}
}

// FuzzParseJSONPath: accepted paths have non-empty segments that join back
// to the input; errors are one line.
func FuzzParseJSONPath(f *testing.F) {
	for _, s := range []string{"user.token", "a..b", "0", ".", "a.\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		segs, err := ParseJSONPath(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		for _, seg := range segs {
			if seg == "" {
				t.Fatalf("empty segment in %q", s)
			}
		}
		if strings.Join(segs, ".") != s {
			t.Fatalf("segments %q do not join back to %q", segs, s)
		}
	})
}

// FuzzSmokeCheckValidate: Validate never panics and its errors are one line.
func FuzzSmokeCheckValidate(f *testing.F) {
	f.Add("/api/users", `{"u":"{{.run}}"}`, "Token {{.token}}", "user.token", "POST")
	f.Add("api", "{{", "", "", "get")
	f.Fuzz(func(t *testing.T, path, body, header, capture, method string) {
		c := SmokeCheck{Path: path, Body: body, Method: method, Headers: map[string]string{"Authorization": header}, Capture: map[string]string{"v": capture}}
		if err := c.Validate(); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("error is not one line: %q", err)
		}
	})
}

func deployErrText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
