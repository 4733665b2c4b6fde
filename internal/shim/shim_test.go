package shim

import (
	"flag"
	"github.com/onepipe/onepipe/internal/versions"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"dagger.io/dagger/engineconn"
	"sigs.k8s.io/yaml"
)

// update rewrites the golden files and the committed examples from Render:
//
//	go test ./internal/shim -update
var update = flag.Bool("update", false, "rewrite testdata/*.golden and examples/*/ CI files from the templates")

// cases are the shapes of Data the golden files pin down.
var cases = map[string]Data{
	"defaults": {},
	"registry": {App: "shop", Source: "services/shop", Repository: "acme.azurecr.io/shop", Branches: []string{"main", "release/1.x"}, Version: "v1.2.3"},
	"binary":   {App: "tornado", Command: "/usr/local/bin/onepipe"},
}

func TestRenderGolden(t *testing.T) {
	for name, d := range cases {
		for _, k := range Kinds() {
			t.Run(name+"/"+string(k), func(t *testing.T) {
				got, err := Render(k, d)
				if err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", string(k)+"-"+name+".golden")
				if *update {
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./internal/shim -update to create it)", err)
				}
				if string(got) != string(want) {
					t.Errorf("%s differs from Render's output (run go test ./internal/shim -update after checking the diff):\n%s", golden, got)
				}
			})
		}
	}
}

// onepipeLines returns the shell lines (one per script/run entry) that invoke onepipe.
func onepipeLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, "$ONEPIPE ") {
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

// checkStructure asserts what every shim must do, whatever the data: one
// onepipe line, reports wired, secrets never on the command line.
func checkStructure(t *testing.T, k Kind, d Data, b []byte) {
	t.Helper()
	m := parse(t, b)
	d = d.withDefaults()
	var lines []string
	switch k {
	case GitLab:
		job := get(t, m, "onepipe")
		lines = strs(get(t, job, "script"))
		if len(lines) != 1 {
			t.Errorf("gitlab: script has %d lines, want exactly the onepipe line", len(lines))
		}
		if got := get(t, job, "artifacts", "when"); got != "always" {
			t.Errorf("gitlab: artifacts:when = %v, want always (reports of failing tests matter most)", got)
		}
		junit := strs(get(t, job, "artifacts", "reports", "junit"))
		if len(junit) != 2 || junit[0] != OutDir+"/junit.xml" || junit[1] != OutDir+"/lint-junit.xml" {
			t.Errorf("gitlab: artifacts:reports:junit = %v", junit)
		}
		if get(t, job, "variables", "ONEPIPE") != d.Command {
			t.Errorf("gitlab: ONEPIPE = %v, want %q", get(t, job, "variables", "ONEPIPE"), d.Command)
		}
		publish := get(t, job, "variables", "ONEPIPE_PUBLISH").(string)
		if d.Repository == "" && publish != "--push" || d.Repository != "" && !strings.Contains(publish, "--publish "+d.Repository) {
			t.Errorf("gitlab: ONEPIPE_PUBLISH = %q for repository %q", publish, d.Repository)
		}
		if mr := get(t, job, "rules", 0); get(t, mr, "variables", "ONEPIPE_PUBLISH") != "" {
			t.Errorf("gitlab: merge request pipelines must push nothing, first rule is %v", mr)
		}
		if n := len(get(t, job, "rules").([]any)); n != 2+len(d.Branches) {
			t.Errorf("gitlab: %d rules, want merge requests, release tags and %d branches", n, len(d.Branches))
		}
	case Azure:
		steps := get(t, m, "steps").([]any)
		var publishes int
		for _, s := range steps {
			step := s.(map[string]any)
			if sc, ok := step["script"].(string); ok {
				lines = append(lines, sc)
			}
			if step["task"] == "PublishTestResults@2" {
				publishes++
				if step["condition"] != "succeededOrFailed()" {
					t.Errorf("azure: PublishTestResults condition = %v, want succeededOrFailed()", step["condition"])
				}
				in := step["inputs"].(map[string]any)
				if in["testResultsFormat"] != "JUnit" || in["testResultsFiles"] != OutDir+"/*junit.xml" {
					t.Errorf("azure: PublishTestResults inputs = %v", in)
				}
			}
			if sc, _ := step["script"].(string); d.Repository != "" && strings.Contains(sc, "$ONEPIPE ") {
				env, _ := step["env"].(map[string]any)
				if env[PasswordVar] != "$("+PasswordVar+")" {
					t.Errorf("azure: the onepipe step must map the secret %s in env:, has %v", PasswordVar, env)
				}
			}
		}
		if publishes != 1 {
			t.Errorf("azure: %d PublishTestResults@2 steps, want 1", publishes)
		}
		if got := strs(get(t, m, "trigger", "branches", "include")); strings.Join(got, ",") != strings.Join(d.Branches, ",") {
			t.Errorf("azure: trigger branches = %v, want %v", got, d.Branches)
		}
	case GitHub:
		steps := get(t, m, "jobs", "onepipe", "steps").([]any)
		var kept bool
		for _, s := range steps {
			step := s.(map[string]any)
			if run, ok := step["run"].(string); ok {
				lines = append(lines, run)
			}
			if step["uses"] == "actions/upload-artifact@v4" {
				kept = step["if"] == "always()" && get(t, step, "with", "path") == OutDir+"/"
			}
		}
		if !kept {
			t.Error("github: reports must be uploaded with if: always()")
		}
	}
	one := onepipeLines(lines)
	if len(one) != 1 {
		t.Fatalf("%s: %d onepipe lines, want exactly 1: %q", k, len(one), one)
	}
	line := one[0]
	if !strings.HasPrefix(line, "$ONEPIPE run --source "+d.Source+" --out "+OutDir) {
		t.Errorf("%s: onepipe line %q does not run the app in %s with reports in %s", k, line, d.Source, OutDir)
	}
	if strings.Contains(line, "$"+PasswordVar) || strings.Contains(line, "secrets.") || strings.Contains(line, "$("+PasswordVar) {
		t.Errorf("%s: onepipe line %q puts a secret value on the command line", k, line)
	}
	if d.Repository != "" && k != GitLab && !strings.Contains(line, "--registry-password env:"+PasswordVar) {
		t.Errorf("%s: onepipe line %q does not read the password from env:%s", k, line, PasswordVar)
	}
}

func TestRenderStructure(t *testing.T) {
	for name, d := range cases {
		for _, k := range Kinds() {
			t.Run(name+"/"+string(k), func(t *testing.T) {
				b, err := Render(k, d)
				if err != nil {
					t.Fatal(err)
				}
				checkStructure(t, k, d, b)
			})
		}
	}
}

func TestRenderRejectsUnsafeData(t *testing.T) {
	tests := []struct {
		name string
		d    Data
		want string
	}{
		{"app with space", Data{App: "my app"}, "app name"},
		{"app with newline", Data{App: "a\nb: c"}, "app name"},
		{"repository with tag", Data{Repository: "acme.azurecr.io/shop:v1"}, `image repository "acme.azurecr.io/shop:v1" has a tag`},
		{"repository with digest", Data{Repository: "acme.azurecr.io/shop@sha256:" + strings.Repeat("0", 64)}, "has a digest"},
		{"repository uppercase", Data{Repository: "acme.azurecr.io/Shop"}, "uppercase letters"},
		{"repository with shell", Data{Repository: "acme.io/shop;rm"}, "image repository"},
		{"repository without registry", Data{Repository: "shop"}, `image repository "shop" names no registry: write docker.io/library/shop for Docker Hub`},
		{"repository too long", Data{Repository: "acme.io/" + strings.Repeat("a", 250)}, "258 characters long"},
		{"source outside", Data{Source: "../other"}, "source folder"},
		{"source absolute", Data{Source: "/etc"}, "source folder"},
		{"source with space", Data{Source: "my app"}, "source folder"},
		{"branch with quote", Data{Branches: []string{`main"`}}, "branch"},
		{"branch with space", Data{Branches: []string{"a b"}}, "branch"},
		{"version with space", Data{Version: "v1 ; rm"}, "onepipe version"},
		{"command on two lines", Data{Command: "onepipe\nrm -rf /"}, "onepipe command"},
		{"blank command", Data{Command: "  "}, "onepipe command"},
		{"dagger version", Data{DaggerVersion: "0.21 .8"}, "Dagger version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range Kinds() {
				_, err := Render(k, tt.d)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: Render error = %v, want one naming the %s", k, err, tt.want)
				}
				if err != nil && strings.Contains(err.Error(), "\n") {
					t.Errorf("%s: error is not one line: %q", k, err)
				}
			}
		})
	}
}

// The shims accept every repository the pipeline accepts (one check, in
// internal/imageref), including names the old pattern refused.
func TestRenderAcceptsRepositories(t *testing.T) {
	for _, repo := range []string{"registry.example.com/my_org__team/app", "[::1]:5000/shop", "localhost:5000/x", "docker.io/library/shop"} {
		for _, k := range Kinds() {
			b, err := Render(k, Data{Repository: repo})
			if err != nil {
				t.Errorf("%s: Render(%s) = %v", k, repo, err)
				continue
			}
			checkStructure(t, k, Data{Repository: repo}, b)
		}
	}
}

func TestRenderUnknownKind(t *testing.T) {
	if _, err := Render("jenkins", Data{}); err == nil || !strings.Contains(err.Error(), "gitlab, azure or github") {
		t.Errorf("Render(jenkins) error = %v, want one listing the CIs", err)
	}
}

func TestParseKind(t *testing.T) {
	tests := []struct {
		in   string
		want Kind
		ok   bool
	}{
		{"gitlab", GitLab, true},
		{"GitLab", GitLab, true},
		{" azure ", Azure, true},
		{"github", GitHub, true},
		{"jenkins", "", false},
		{"", "", false},
		{"git", "", false},
	}
	for _, tt := range tests {
		got, err := ParseKind(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseKind(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestFileName(t *testing.T) {
	want := map[Kind]string{GitLab: ".gitlab-ci.yml", Azure: "azure-pipelines.yml", GitHub: ".github/workflows/onepipe.yml", "jenkins": ""}
	for k, w := range want {
		if got := FileName(k); got != w {
			t.Errorf("FileName(%s) = %q, want %q", k, got, w)
		}
	}
}

// The shims install the Dagger CLI the SDK in go.mod expects; a bump of one
// without the other would make every CI job download a second engine.
func TestDaggerVersionMatchesSDK(t *testing.T) {
	if versions.Dagger != engineconn.CLIVersion {
		t.Errorf("versions.Dagger = %s but the Dagger SDK in go.mod is %s: bump it and run go test ./internal/shim -update", versions.Dagger, engineconn.CLIVersion)
	}
}

// FuzzRender: whatever a user passes, Render either refuses it or writes YAML
// with exactly one onepipe line that still says what the user asked for.
func FuzzRender(f *testing.F) {
	f.Add("tornado", ".", "", "main", "latest", "")
	f.Add("shop", "services/shop", "acme.azurecr.io/shop", "release/1.x", "v1.2.3", "/usr/local/bin/onepipe --debug")
	f.Add("a: b", "x #y", "r'e\"po", "main\n- evil", "v1", "echo ${{ secrets.X }} $(FOO) [[ ]]")
	f.Fuzz(func(t *testing.T, app, source, repo, branch, version, command string) {
		d := Data{App: app, Source: source, Repository: repo, Branches: []string{branch}, Version: version, Command: command}
		for _, k := range Kinds() {
			b, err := Render(k, d)
			if err != nil {
				continue
			}
			checkStructure(t, k, d, b)
			if k != GitLab && d.Repository != "" && !strings.Contains(string(b), "--publish "+d.Repository+" ") {
				t.Errorf("%s: repository %q is not what the shim publishes to", k, d.Repository)
			}
		}
	})
}

// tagFilter returns, for the rendered shim of kind, whether a push of tag runs
// the pipeline, reading the filter the way that CI reads it.
func tagFilter(t *testing.T, k Kind, b []byte) func(tag string) bool {
	t.Helper()
	m := parse(t, b)
	switch k {
	case GitLab:
		var res []*regexp.Regexp
		for _, r := range get(t, m, "onepipe", "rules").([]any) {
			cond, _ := r.(map[string]any)["if"].(string)
			if re, ok := strings.CutPrefix(cond, "$CI_COMMIT_TAG =~ /"); ok {
				res = append(res, regexp.MustCompile(strings.TrimSuffix(re, "/"))) // GitLab matches with RE2 too
			} else if strings.Contains(cond, "CI_COMMIT_TAG") {
				t.Fatalf("gitlab: rule %q: extend tagFilter to read it", cond)
			}
		}
		return func(tag string) bool {
			return slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(tag) })
		}
	case Azure:
		include := globs(t, strs(get(t, m, "trigger", "tags", "include")), false)
		var exclude []*regexp.Regexp
		if ex, ok := get(t, m, "trigger", "tags").(map[string]any)["exclude"]; ok {
			exclude = globs(t, strs(ex), false)
		}
		return func(tag string) bool { return anyMatch(include, tag) && !anyMatch(exclude, tag) }
	case GitHub:
		on, ok := m["on"]
		if !ok {
			on = m["true"] // YAML 1.1 reads the key on as a boolean
		}
		include := globs(t, strs(get(t, on, "push", "tags")), true)
		return func(tag string) bool { return anyMatch(include, tag) }
	}
	t.Fatalf("no tag filter for %s", k)
	return nil
}

// globs compiles CI wildcard patterns: Azure DevOps's * (any characters) and
// GitHub's * (any but /) and ** (any). Other pattern characters fail the test.
func globs(t *testing.T, patterns []string, github bool) []*regexp.Regexp {
	t.Helper()
	var out []*regexp.Regexp
	for _, p := range patterns {
		if strings.ContainsAny(p, "?[]!+\\") {
			t.Fatalf("pattern %q: extend globs to read it", p)
		}
		var re strings.Builder
		for i := 0; i < len(p); i++ {
			switch {
			case github && strings.HasPrefix(p[i:], "**"):
				re.WriteString(".*")
				i++
			case github && p[i] == '*':
				re.WriteString("[^/]*")
			case p[i] == '*':
				re.WriteString(".*")
			default:
				re.WriteString(regexp.QuoteMeta(p[i : i+1]))
			}
		}
		out = append(out, regexp.MustCompile("^"+re.String()+"$"))
	}
	return out
}

func anyMatch(res []*regexp.Regexp, s string) bool {
	return slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(s) })
}

// Every CI runs the pipeline on the same tags: final releases and
// pre-releases alike (onepipe tells them apart), whatever the branches.
func TestShimsRunOnTheSameTags(t *testing.T) {
	tags := map[string]bool{
		"v1.2.3":       true,
		"v0.1.0":       true,
		"v1.2.3-rc.1":  true,
		"v1.2.3-beta":  true,
		"v1.2.3+build": true, // onepipe refuses it in one line rather than skip it in silence
		"v2":           true,
		"v1/hotfix":    true,
		"1.2.3":        false,
		"release-1.2":  false,
		"nightly":      false,
	}
	for name, d := range cases {
		for _, k := range Kinds() {
			b, err := Render(k, d)
			if err != nil {
				t.Fatal(err)
			}
			runs := tagFilter(t, k, b)
			for tag, want := range tags {
				if got := runs(tag); got != want {
					t.Errorf("%s/%s: a push of tag %s runs the pipeline: %v, want %v", name, k, tag, got, want)
				}
			}
		}
	}
}

func TestPushes(t *testing.T) {
	tests := []struct {
		kind Kind
		d    Data
		want bool
	}{
		{GitLab, Data{}, true},
		{GitLab, Data{Repository: "acme.azurecr.io/shop"}, true},
		{Azure, Data{}, false},
		{Azure, Data{Repository: "acme.azurecr.io/shop"}, true},
		{GitHub, Data{}, false},
		{GitHub, Data{Repository: "acme.azurecr.io/shop"}, true},
	}
	for _, tt := range tests {
		b, err := Render(tt.kind, tt.d)
		if err != nil {
			t.Fatal(err)
		}
		if got := Pushes(tt.kind, tt.d); got != tt.want {
			t.Errorf("Pushes(%s, %+v) = %v, want %v", tt.kind, tt.d, got, tt.want)
		}
		// What the shim really does: GitLab's default is --push, elsewhere --publish.
		if pushes := strings.Contains(string(b), `"--push"`) || strings.Contains(string(b), "--publish "); pushes != tt.want {
			t.Errorf("%s shim for %+v pushes: %v, but Pushes says %v", tt.kind, tt.d, pushes, tt.want)
		}
	}
}
