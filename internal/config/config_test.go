package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"app: Shop\n", `app "Shop": use lowercase letters`},
		{"lint: {tool: pylint}\n", `lint.tool "pylint": use flake8 or ruff`},
		{"release: {tagPattern: '('}\n", "release.tagPattern"},
		{"environments: {Prod: {}}\n", "environments.Prod"},
		{"environments: {dev: {replicas: -1}}\n", "line 1: environments.dev.replicas: -1 is negative"},
		{"colour: blue\n", `unknown field "colour"`},
		{"app: [\n", "line 1: not valid YAML: did not find expected node content"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want %q", tt.yaml, err, tt.want)
		}
	}
}

func TestLoadDefaults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "My_Shop")
	os.Mkdir(dir, 0o755)
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.App != "my-shop" || c.Platforms[0] != "linux/amd64" || c.Lint.Tool != "" {
		t.Errorf("defaults = %+v", c)
	}
	prod, _ := c.Environment("prod")
	dev, _ := c.Environment("dev")
	if !prod.Protected || dev.Protected || dev.Namespace != "my-shop-dev" || dev.Replicas != 1 {
		t.Errorf("dev=%+v prod=%+v", dev, prod)
	}
	if _, err := c.Environment("staging"); err == nil || !strings.Contains(err.Error(), "use one of dev, prod") {
		t.Errorf("unknown environment error = %v", err)
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte("app: shop\nenvironments:\n  staging: {replicas: 3, host: staging.example.com}\n"), 0o644)
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Environment("staging")
	if err != nil || st.Replicas != 3 || st.Namespace != "shop-staging" {
		t.Errorf("staging = %+v, %v", st, err)
	}
	if names := strings.Join(c.EnvironmentNames(), ","); names != "dev,prod,staging" {
		t.Errorf("names = %s", names)
	}
	os.WriteFile(filepath.Join(dir, FileName), []byte("lint: {tool: x}\n"), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, FileName)) {
		t.Errorf("error does not name the file: %v", err)
	}
}

func TestWithDefaultsLeavesInputAlone(t *testing.T) {
	in := Config{Environments: map[string]Environment{"staging": {}}}
	out := in.WithDefaults("shop")
	if len(in.Environments) != 1 || in.Environments["staging"].Namespace != "" {
		t.Errorf("input changed: %+v", in.Environments)
	}
	if out.Environments["staging"].Namespace != "shop-staging" || len(out.Environments) != 3 {
		t.Errorf("output = %+v", out.Environments)
	}
}
