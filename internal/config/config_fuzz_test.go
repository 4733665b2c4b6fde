package config

import (
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary onepipe.yaml content: Parse must never panic, and
// whatever it accepts must validate and take defaults.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"app: shop\n",
		"lint: {tool: ruff, allowFailure: true}\n",
		"environments:\n  prod: {protected: true, replicas: 2, secrets: {KEY: env:K}}\n",
		"release: {tagPattern: '^v\\d+$', movingTags: [latest]}\n",
		"app: [1, 2]\n",
		"{{{\n",
		"deploy: {port: 8000, smoke: [{path: /}]}\n",
		"environments: {dev: {replicas: two}}\n",
		"- a\n",
		"app: a\napp: b\n",
		"environments:\n  dev: &d {replicas: 2, vars: {A: x}}\n  prod: {<<: *d, protected: yes}\n",
		"environments: {dev: {vars: {~: x, 1: y}}}\n",
		"azure: {functionZip: {pythonVersion: 3.10}}\n",
		"!", // YAML's non-specific tag: a string to the decoder, not null
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		c, err := Parse([]byte(data))
		if err != nil {
			if strings.Contains(err.Error(), "\n") && len(err.Error()) > 500 {
				t.Errorf("error is not one readable line: %q", err)
			}
			for _, internal := range []string{"Go struct", "Go value", "json:", "config.", "interface {}", "%!"} {
				if strings.Contains(err.Error(), internal) {
					t.Errorf("error shows Go internals (%q): %q", internal, err)
				}
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Errorf("Parse accepted a config Validate rejects: %v", err)
		}
		d := c.WithDefaults("app")
		if d.App == "" || len(d.Platforms) == 0 {
			t.Errorf("defaults missing: %+v", d)
		}
		if _, err := d.Environment("dev"); err != nil {
			t.Errorf("dev environment missing after defaults: %v", err)
		}
	})
}
