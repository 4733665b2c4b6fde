package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestParseYAMLErrors pins the whole message for each kind of problem the
// YAML walker reports: line, field path and what the field takes, in words.
func TestParseYAMLErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"whole number", "app: shop\nenvironments:\n  dev:\n    host: dev.example.com\n    replicas: two\n",
			`line 5: environments.dev.replicas: "two" is not a whole number`},
		{"fraction", "environments: {dev: {replicas: 2.5}}\n", `line 1: environments.dev.replicas: "2.5" is not a whole number`},
		{"too large", "deploy:\n  port: 99999999999999999999\n", `line 2: deploy.port: "99999999999999999999" is not a whole number`},
		{"quoted number", "deploy:\n  port: '8000'\n", `line 2: deploy.port: "8000" is not a whole number: remove the quotes`},
		{"boolean", "lint:\n  allowFailure: maybe\n", `line 2: lint.allowFailure: "maybe" is not true or false`},
		{"quoted boolean", "lint:\n  allowFailure: \"true\"\n", `line 2: lint.allowFailure: "true" is not true or false: remove the quotes`},
		{"text given a list", "app: [a, b]\n", "line 1: app: expected text, not a list"},
		{"text given a mapping", "runtime:\n  image: python\n", "line 2: runtime: expected text, not a mapping"},
		{"list of strings", "platforms: linux/amd64\n", `line 1: platforms: "linux/amd64" is not a list of strings: write it as a list, e.g. [linux/amd64]`},
		{"command as a string", "test:\n  command: pytest -q\n", `line 2: test.command: "pytest -q" is not a list of strings: write it as a list, e.g. [pytest -q]`},
		{"list of mappings", "deploy:\n  smoke: /health\n", `line 2: deploy.smoke: "/health" is not a list of mappings`},
		{"inside a list item", "deploy:\n  smoke:\n    - path: /\n    - path: /x\n      status: ok\n", `line 5: deploy.smoke[1].status: "ok" is not a whole number`},
		{"mapping", "environments: [dev, prod]\n", "line 1: environments: expected a mapping, not a list"},
		{"map of strings", "environments:\n  dev:\n    vars: [A=1]\n", "line 3: environments.dev.vars: expected a mapping, not a list"},
		{"map value", "environments:\n  dev:\n    vars:\n      A: [1]\n", "line 4: environments.dev.vars.A: expected text, not a list"},
		{"nested struct", "environments:\n  dev:\n    cluster:\n      aks: {nodeCount: many}\n", `line 4: environments.dev.cluster.aks.nodeCount: "many" is not a whole number`},
		{"odd map key in path", "environments:\n  dev:\n    vars:\n      \"A B\": [1]\n", `line 4: environments.dev.vars["A B"]: expected text, not a list`},

		{"unknown field with suggestion", "app: shop\nenvironments:\n  dev:\n    replica: 2\n", `line 4: unknown field "replica" in environments.dev (did you mean replicas?)`},
		{"unknown field in another case", "App: shop\n", `line 1: unknown field "App" (did you mean app?)`},
		{"unknown field listed", "environments:\n  dev:\n    colour: blue\n",
			`line 3: unknown field "colour" in environments.dev: use namespace, host, replicas, protected, vars, secrets, cluster or docker`},
		{"unknown top-level field", "app: shop\ncolour: blue\n",
			`line 2: unknown field "colour": use app, runtime, image, platforms, test, lint, release, registry, environments, deploy, azure, cache or scan`},
		{"unknown field in a list item", "deploy:\n  smoke:\n    - path: /\n      contain: ok\n", `line 4: unknown field "contain" in deploy.smoke[0] (did you mean contains?)`},

		{"duplicate key", "app: shop\nimage: a\napp: shop2\n", "line 3: app is set twice (lines 1 and 3): keep one"},
		{"duplicate nested key", "environments:\n  dev:\n    replicas: 1\n    host: x\n    replicas: 2\n", "line 5: environments.dev.replicas is set twice (lines 3 and 5): keep one"},
		{"duplicate on one line", "environments: {dev: {replicas: 1, replicas: 2}}\n", "line 1: environments.dev.replicas is set twice on this line: keep one"},
		{"duplicate map key", "environments:\n  dev: {}\n  dev: {}\n", "line 3: environments.dev is set twice (lines 2 and 3): keep one"},

		{"top-level list", "- app: shop\n", "line 1: the file must be a mapping of settings (app:, environments:, ...), not a list"},
		{"top-level scalar", "shop\n", `line 1: the file must be a mapping of settings (app:, environments:, ...), not "shop"`},
		{"top-level after a comment", "# settings\n\n42\n", `line 3: the file must be a mapping of settings (app:, environments:, ...), not "42"`},
		{"empty tag at the top", "!\n", "the file must be a mapping of settings (app:, environments:, ...), not text"},

		{"float read as text", "azure:\n  functionZip:\n    pythonVersion: 3.10\n", `line 3: azure.functionZip.pythonVersion: 3.10 is read as "3.1": write it in quotes ("3.10") to keep it as written`},
		{"yes read as text", "environments:\n  dev:\n    vars:\n      DEBUG: no\n", `line 4: environments.dev.vars.DEBUG: no is read as "false": write it in quotes ("no") to keep it as written`},
		{"list item read as text", "release:\n  movingTags: [latest, 1.0]\n", `line 2: release.movingTags[1]: 1.0 is read as "1": write it in quotes ("1.0") to keep it as written`},
		{"key read as text", "environments:\n  dev:\n    vars:\n      on: x\n", `line 4: environments.dev.vars: the key on is read as true: write it in quotes ("on") to keep it as written`},
		{"non-text key", "environments:\n  dev:\n    vars:\n      ? [a]\n      : x\n", "line 4: environments.dev.vars: a key must be a name, not a list"},
		{"empty key", "environments:\n  dev:\n    vars:\n      ~: x\n", "line 4: environments.dev.vars: a key must be a name, not empty"},

		{"merge brings an unknown field", "environments:\n  base: &b {replica: 2}\n  dev:\n    <<: *b\n", `line 2: unknown field "replica" in environments.base (did you mean replicas?)`},
		{"merge overridden", "environments:\n  dev: &d {replicas: 2}\n  staging:\n    <<: *d\n    replicas: 3\n",
			"line 5: environments.staging.replicas is set by the << merge on line 4 and again on line 5: keep one (a key merged with << cannot be set again)"},
		{"merge after the key", "environments:\n  dev: &d {replicas: 2}\n  staging:\n    replicas: 3\n    <<: *d\n",
			"line 5: environments.staging.replicas is set on line 4 and again by the << merge on line 5: keep one (a key merged with << cannot be set again)"},
		{"merges overlap", "environments:\n  a: &a {host: x}\n  b: &b {host: y}\n  c:\n    <<: [*a, *b]\n",
			"line 5: environments.c.host is set by more than one mapping the << merge brings in: keep one"},
		{"merge of a scalar", "environments:\n  dev:\n    <<: x\n", `line 3: environments.dev: << must merge a mapping, not "x"`},
		{"alias of the wrong kind", "app: &a [x]\nruntime: *a\n", "line 1: app: expected text, not a list"},

		{"syntax", "app: shop\nlint: {tool: ruff\n", "line 2: not valid YAML: did not find expected ',' or '}'"},
		{"tab indent", "app: shop\nlint:\n\ttool: ruff\n", "line 3: not valid YAML: the line is indented with a tab: indent with spaces"},
		{"tab indent on line 1", "\tapp: shop\n", "line 1: not valid YAML: the line is indented with a tab: indent with spaces"},
		{"second document", "app: shop\n---\napp: other\n", "line 2: a second document starts here (after ---): keep all settings in one document"},

		{"validate error gets its line", "app: shop\nlint:\n  tool: pylint\n", `line 3: lint.tool "pylint": use flake8 or ruff`},
		{"validate error in a list item", "deploy:\n  smoke:\n    - path: /\n    - path: health\n", `line 4: deploy.smoke[1]: path "health": start it with /, e.g. /api/health`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Parse(%q)\n got: %v\nwant: %s", tt.yaml, err, tt.want)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name, yaml string
		check      func(Config) bool
	}{
		{"yaml 1.1 booleans", "lint: {allowFailure: yes}\nenvironments: {prod: {protected: on}}\n",
			func(c Config) bool { return c.Lint.AllowFailure && c.Environments["prod"].Protected }},
		{"whole float", "environments: {dev: {replicas: 2.0}}\n", func(c Config) bool { return c.Environments["dev"].Replicas == 2 }},
		{"numbers and booleans as text when unchanged", "environments: {dev: {vars: {PORT: 8000, DEBUG: false, RATIO: 0.5}}}\n",
			func(c Config) bool {
				v := c.Environments["dev"].Vars
				return v["PORT"] == "8000" && v["DEBUG"] == "false" && v["RATIO"] == "0.5"
			}},
		{"quoted text", "azure: {functionZip: {pythonVersion: \"3.10\"}}\n", func(c Config) bool { return c.Azure.FunctionZip.PythonVersion == "3.10" }},
		{"number key", "environments: {dev: {vars: {1: x}}}\n", func(c Config) bool { return c.Environments["dev"].Vars["1"] == "x" }},
		{"merge key", "environments:\n  dev: &d {replicas: 2, vars: {A: x}}\n  staging:\n    <<: *d\n    host: s.example.com\n",
			func(c Config) bool {
				s := c.Environments["staging"]
				return s.Replicas == 2 && s.Vars["A"] == "x" && s.Host == "s.example.com"
			}},
		{"null values", "app:\nenvironments:\n  dev:\n", func(c Config) bool { return c.App == "" }},
		{"comments only", "# nothing yet\n", func(c Config) bool { return c.App == "" }},
		{"document markers", "---\napp: shop\n...\n", func(c Config) bool { return c.App == "shop" }},
		{"empty second document", "app: shop\n---\n", func(c Config) bool { return c.App == "shop" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.yaml))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.yaml, err)
			}
			if !tt.check(c) {
				t.Errorf("Parse(%q) = %+v", tt.yaml, c)
			}
		})
	}
}

func TestParseAliasBombIsQuick(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 12; i++ {
		prev := "*a" + string(rune('0'+i-1))
		if i > 9 {
			prev = "*a" + string(rune('a'+i-10))
		}
		name := "a" + string(rune('0'+i))
		if i > 9 {
			name = "a" + string(rune('a'+i-10))
		}
		b.WriteString(name + ": &" + name + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n")
	}
	done := make(chan error, 1)
	go func() { _, err := Parse([]byte(b.String())); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Parse accepted an alias bomb")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Parse of an alias bomb did not return in 10s")
	}
}

// TestLoadErrorNamesFileAndLine checks the line comes through config.Error
// and the message starts with the file.
func TestLoadErrorNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte("app: shop\n\nenvironments:\n  dev:\n    replicas: two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir)
	want := path + `: line 5: environments.dev.replicas: "two" is not a whole number`
	if err == nil || err.Error() != want {
		t.Fatalf("Load error\n got: %v\nwant: %s", err, want)
	}
	var ce *Error
	if !errors.As(err, &ce) || ce.File != path || ce.Line != 5 {
		t.Errorf("config.Error = %+v, want File %s and Line 5", ce, path)
	}
}

func TestErrorFormat(t *testing.T) {
	inner := errors.New("app: bad")
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{File: "onepipe.yaml", Line: 7, Err: inner}, "onepipe.yaml: line 7: app: bad"},
		{&Error{File: "onepipe.yaml", Err: inner}, "onepipe.yaml: app: bad"},
		{&Error{Line: 2, Err: inner}, "line 2: app: bad"},
		{&Error{File: "onepipe.yaml", Err: &Error{Line: 3, Err: inner}}, "onepipe.yaml: line 3: app: bad"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
