package shim

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// job is one job of a rendered shim, read the way its CI reads it.
type job struct {
	Name string
	// Lines are the job's shell lines (script entries, run and script steps).
	Lines []string
	// Env is the CI environment the job deploys to or stops ("" for none).
	Env string
	// Stop is true for a job that stops its environment (GitLab action: stop).
	Stop bool
	// OnStop names the job that stops the environment (GitLab).
	OnStop string
	// When is the job's condition: GitLab's first rule's if, Azure's stage
	// condition, GitHub's if ("" when it always runs).
	When string
	// Manual is true when the job waits for a person (GitLab when: manual).
	Manual bool
	// Secrets are the variables a step maps from the CI's secrets (Azure env:
	// $(NAME), GitHub env: ${{ secrets.NAME }}).
	Secrets []string
	raw     map[string]any
}

// onepipe returns the job's lines that run onepipe.
func (j job) onepipe() []string {
	var out []string
	for _, l := range j.Lines {
		if strings.HasPrefix(l, "$ONEPIPE ") {
			out = append(out, l)
		}
	}
	return out
}

func parse(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("rendered shim is not YAML: %v\n%s", err, b)
	}
	return m
}

func get(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch key := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %q: not a mapping in %v", key, path)
			}
			v = m[key]
		case int:
			s, ok := v.([]any)
			if !ok || key >= len(s) {
				t.Fatalf("at [%d]: not a list that long in %v", key, path)
			}
			v = s[key]
		}
	}
	return v
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func str(v any) string { s, _ := v.(string); return s }

// gitlabReserved are top-level keys of .gitlab-ci.yml that are no jobs.
var gitlabReserved = map[string]bool{"workflow": true, "stages": true, "variables": true, "default": true, "include": true}

// jobs reads the jobs of a rendered shim, by name.
func jobs(t *testing.T, k Kind, b []byte) map[string]job {
	t.Helper()
	m := parse(t, b)
	out := map[string]job{}
	switch k {
	case GitLab:
		for name, v := range m {
			if gitlabReserved[name] || strings.HasPrefix(name, ".") {
				continue
			}
			raw := v.(map[string]any)
			j := job{Name: name, raw: raw, Lines: strs(raw["script"])}
			if e, ok := raw["environment"].(map[string]any); ok {
				j.Env, j.Stop, j.OnStop = str(e["name"]), e["action"] == "stop", str(e["on_stop"])
			}
			if rules, ok := raw["rules"].([]any); ok && len(rules) > 0 {
				first := rules[0].(map[string]any)
				j.When, j.Manual = str(first["if"]), first["when"] == "manual"
			}
			out[name] = j
		}
	case Azure:
		for _, s := range get(t, m, "stages").([]any) {
			stage := s.(map[string]any)
			for _, jv := range stage["jobs"].([]any) {
				raw := jv.(map[string]any)
				name := str(raw["job"]) + str(raw["deployment"])
				steps, _ := raw["steps"].([]any)
				if raw["deployment"] != nil {
					steps = get(t, raw, "strategy", "runOnce", "deploy", "steps").([]any)
				}
				j := job{Name: name, raw: raw, Env: str(raw["environment"]), When: str(stage["condition"])}
				for _, st := range steps {
					step := st.(map[string]any)
					if sc, ok := step["script"].(string); ok {
						j.Lines = append(j.Lines, sc)
					}
					env, _ := step["env"].(map[string]any)
					for k, v := range env {
						if str(v) == "$("+k+")" {
							j.Secrets = append(j.Secrets, k)
						}
					}
				}
				out[name] = j
			}
		}
	case GitHub:
		for name, v := range get(t, m, "jobs").(map[string]any) {
			raw := v.(map[string]any)
			j := job{Name: name, raw: raw, Env: str(raw["environment"]), When: str(raw["if"])}
			for _, st := range raw["steps"].([]any) {
				step := st.(map[string]any)
				if run, ok := step["run"].(string); ok {
					for _, l := range strings.Split(strings.TrimSpace(run), "\n") {
						j.Lines = append(j.Lines, l)
					}
				}
				env, _ := step["env"].(map[string]any)
				for k, v := range env {
					if str(v) == "${{ secrets."+k+" }}" {
						j.Secrets = append(j.Secrets, k)
					}
				}
			}
			out[name] = j
		}
	}
	return out
}

// variables are the shim's pipeline-wide variables (GitLab variables:,
// Azure variables:, GitHub env:).
func variables(t *testing.T, k Kind, b []byte) map[string]string {
	t.Helper()
	m := parse(t, b)
	key := "variables"
	if k == GitHub {
		key = "env"
	}
	out := map[string]string{}
	for name, v := range m[key].(map[string]any) {
		out[name] = str(v)
	}
	return out
}
