package shim

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"dagger.io/dagger/engineconn"

	"github.com/onepipe/onepipe/internal/versions"
)

// update rewrites the golden files and the committed examples from Render:
//
//	go test ./internal/shim -update
var update = flag.Bool("update", false, "rewrite testdata/*.golden and examples/*/ CI files from the templates")

// cases are the shapes of Data the golden files pin down.
var cases = map[string]Data{
	"defaults": {},
	"registry": {App: "shop", Source: "services/shop", Repository: "acme.azurecr.io/shop", Branches: []string{"main", "release/1.x"}, Version: "v1.2.3",
		ManualProd: true, PreReleaseEnv: "staging", Changes: []string{"services/shop/**", "requirements*.txt"}},
	"binary":    {App: "tornado", Command: "/usr/local/bin/onepipe", Version: "v1.2.3", NoReview: true},
	"engine":    {App: "tornado", Repository: "registry.example.com/tornado", Version: "v0.0.0-20260101000000-abcdef123456", Engine: "kube-pod://dagger-engine-0?namespace=dagger&container=dagger-engine"},
	"no-deploy": {App: "tornado", Version: "v1.2.3-rc.1", NoDeploy: true},
	"docker":    {App: "tornado", Version: "v1.2.3", NoCluster: []string{"dev", "prod"}},
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

// checkStructure asserts what every shim must do, whatever the data: one
// onepipe line per job, the test job first, publish and deploy jobs that
// say where the image and the release go, reports wired, the pinned
// onepipe built once, secrets never on a command line, nothing unpinned.
func checkStructure(t *testing.T, k Kind, d Data, b []byte) {
	t.Helper()
	d = d.withDefaults()
	all := jobs(t, k, b)
	vars := variables(t, k, b)
	text := string(b)
	for _, bad := range []string{"@latest", "| sh", "|sh", "install.sh", "curl "} {
		if strings.Contains(text, bad) {
			t.Errorf("%s: the shim contains %q: everything it runs is pinned and nothing is piped to a shell", k, bad)
		}
	}
	if vars["ONEPIPE_VERSION"] != d.Version {
		t.Errorf("%s: ONEPIPE_VERSION = %q, want %q", k, vars["ONEPIPE_VERSION"], d.Version)
	}
	if want := versions.DaggerEngineImage; vars["DAGGER_ENGINE_IMAGE"] != want {
		t.Errorf("%s: DAGGER_ENGINE_IMAGE = %q, want %q", k, vars["DAGGER_ENGINE_IMAGE"], want)
	}
	host := vars["_EXPERIMENTAL_DAGGER_RUNNER_HOST"]
	if d.Engine != "" && host != d.Engine || d.Engine == "" && host != "docker-image://"+versions.DaggerEngineImage {
		t.Errorf("%s: _EXPERIMENTAL_DAGGER_RUNNER_HOST = %q for engine %q", k, host, d.Engine)
	}

	// onepipe: built once from the pinned module, or the user's command
	build := ""
	for name, j := range all {
		for _, l := range j.Lines {
			if strings.Contains(l, "go install") {
				if build != "" {
					t.Errorf("%s: jobs %s and %s both build onepipe", k, build, name)
				}
				build = name
				if !strings.HasSuffix(l, "go install "+Module+"@$ONEPIPE_VERSION") && !strings.HasSuffix(l, "go install "+Module+"@$(ONEPIPE_VERSION)") {
					t.Errorf("%s: %s builds onepipe with %q, not the pinned module version", k, name, l)
				}
			}
		}
	}
	switch {
	case d.Command != "" && (build != "" || vars["ONEPIPE"] != d.Command):
		t.Errorf("%s: with command %q the shim builds onepipe in %q and ONEPIPE is %q", k, d.Command, build, vars["ONEPIPE"])
	case d.Command == "" && build == "":
		t.Errorf("%s: no job builds onepipe %s", k, d.Version)
	}

	// every job that runs onepipe runs it once
	ran := map[string]string{}
	for name, j := range all {
		lines := j.onepipe()
		if name == build {
			if len(lines) != 0 {
				t.Errorf("%s: the build job %s runs onepipe: %q", k, name, lines)
			}
			continue
		}
		if len(lines) != 1 {
			t.Errorf("%s: job %s has %d onepipe lines, want exactly 1: %q", k, name, len(lines), lines)
			continue
		}
		line := lines[0]
		ran[name] = line
		for _, secret := range []string{"$" + PasswordVar, "$" + KubeconfigVar, "secrets.", "$(" + PasswordVar, "$(" + KubeconfigVar} {
			if strings.Contains(line, secret) {
				t.Errorf("%s: job %s puts a secret value on the command line: %q", k, name, line)
			}
		}
		if !strings.HasPrefix(line, "$ONEPIPE run --source "+d.Source+" --out "+OutDir) && !strings.HasPrefix(line, "$ONEPIPE down --source "+d.Source+" ") {
			t.Errorf("%s: job %s's line %q does not work on the app in %s", k, name, line, d.Source)
		}
	}

	// test: the checks, nothing pushed
	test, ok := ran["test"]
	if !ok || test != "$ONEPIPE run --source "+d.Source+" --out "+OutDir {
		t.Errorf("%s: the test job runs %q, want test, lint and pack with nothing pushed", k, test)
	}
	switch k {
	case GitLab:
		tj := all["test"]
		if get(t, tj.raw, "artifacts", "when") != "always" {
			t.Errorf("gitlab: test artifacts:when must be always (reports of failing tests matter most)")
		}
		junit := strs(get(t, tj.raw, "artifacts", "reports", "junit"))
		if len(junit) != 2 || junit[0] != OutDir+"/junit.xml" || junit[1] != OutDir+"/lint-junit.xml" {
			t.Errorf("gitlab: artifacts:reports:junit = %v", junit)
		}
	case Azure:
		var published bool
		for _, s := range all["test"].raw["steps"].([]any) {
			step := s.(map[string]any)
			if step["task"] == "PublishTestResults@2" {
				in := step["inputs"].(map[string]any)
				published = step["condition"] == "succeededOrFailed()" && in["testResultsFormat"] == "JUnit" && in["testResultsFiles"] == OutDir+"/*junit.xml"
			}
		}
		if !published {
			t.Error("azure: the test job must publish the JUnit results with condition succeededOrFailed()")
		}
	case GitHub:
		var kept bool
		for _, s := range all["test"].raw["steps"].([]any) {
			step := s.(map[string]any)
			if step["uses"] == "actions/upload-artifact@v4" {
				kept = step["if"] == "always()" && get(t, step, "with", "path") == OutDir+"/"
			}
		}
		if !kept {
			t.Error("github: reports must be uploaded with if: always()")
		}
	}

	// publish: the image where it goes
	publish := "$ONEPIPE_PUBLISH"
	if k != GitLab {
		publish = strings.TrimPrefix(ran["publish"], "$ONEPIPE run --source "+d.Source+" --out "+OutDir+" --only pack ")
	}
	if Pushes(k, d) {
		if ran["publish"] != "$ONEPIPE run --source "+d.Source+" --out "+OutDir+" --only pack "+publish {
			t.Errorf("%s: the publish job runs %q", k, ran["publish"])
		}
		where := publish
		if k == GitLab {
			where = vars["ONEPIPE_PUBLISH"]
		}
		if d.Repository == "" && where != "--push" || d.Repository != "" && where != "--publish "+d.Repository+" --registry-username env:"+UsernameVar+" --registry-password env:"+PasswordVar {
			t.Errorf("%s: the image goes to %q for repository %q", k, where, d.Repository)
		}
		if k != GitLab && !slices.Contains(all["publish"].Secrets, PasswordVar) {
			t.Errorf("%s: the publish job does not map the secret %s", k, PasswordVar)
		}
	} else if _, ok := all["publish"]; ok {
		t.Errorf("%s: a publish job without a repository to push to", k)
	}

	// deploy: one job per environment, each deploying where the CI says
	var deployed []string
	for name, j := range all {
		line := ran[name]
		if !strings.Contains(line, " --deploy") && !strings.Contains(line, "$ONEPIPE down") {
			if j.Env != "" {
				t.Errorf("%s: job %s has environment %s but deploys nothing", k, name, j.Env)
			}
			continue
		}
		deployed = append(deployed, name)
		cluster := !slices.Contains(d.NoCluster, envOf(line))
		if strings.HasSuffix(line, " $ONEPIPE_CLUSTER") != cluster || vars["ONEPIPE_CLUSTER"] != "--kubeconfig env:"+KubeconfigVar {
			t.Errorf("%s: job %s reaches the cluster with %q (ONEPIPE_CLUSTER %q), cluster %v", k, name, line, vars["ONEPIPE_CLUSTER"], cluster)
		}
		if k != GitLab && slices.Contains(j.Secrets, KubeconfigVar) != cluster {
			t.Errorf("%s: job %s maps the secret %s: %v, want %v", k, name, KubeconfigVar, !cluster, cluster)
		}
		review := strings.HasPrefix(j.Env, "review/")
		switch {
		case review && j.Stop:
			if line != "$ONEPIPE down --source "+d.Source+" --env "+ReviewEnv+" --review $CI_COMMIT_REF_SLUG $ONEPIPE_CLUSTER" || !j.Manual {
				t.Errorf("%s: the stop job %s runs %q (manual %v)", k, name, line, j.Manual)
			}
		case review:
			if !strings.Contains(line, " --only pack --deploy --env "+ReviewEnv+" --review $CI_COMMIT_REF_SLUG ") || j.OnStop == "" || all[j.OnStop].Env != j.Env || !all[j.OnStop].Stop {
				t.Errorf("%s: review job %s runs %q and is stopped by %q", k, name, line, j.OnStop)
			}
		default:
			if !strings.Contains(line, " --only pack --deploy --env "+j.Env+" ") {
				t.Errorf("%s: job %s is in environment %q but runs %q", k, name, j.Env, line)
			}
			if !strings.Contains(line, publish) {
				t.Errorf("%s: job %s deploys without pushing (%q): a cluster pulls what it runs", k, name, line)
			}
		}
		if j.Env == "prod" && k == GitLab && j.Manual != d.ManualProd {
			t.Errorf("gitlab: prod deploy manual = %v, want %v", j.Manual, d.ManualProd)
		}
	}
	want := 0
	if Deploys(k, d) {
		want = 3
		if k == GitLab && !d.NoReview && !slices.Contains(d.NoCluster, ReviewEnv) {
			want = 5
		}
	}
	if len(deployed) != want {
		t.Errorf("%s: deploy jobs %v, want %d", k, deployed, want)
	}
}

// envOf is the environment a onepipe line names with --env.
func envOf(line string) string {
	f := strings.Fields(line)
	if i := slices.Index(f, "--env"); i >= 0 && i+1 < len(f) {
		return f[i+1]
	}
	return ""
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

// Each deploy job runs for the refs its environment takes, as the CI reads
// its condition: dev from the default branch, prod from final release tags,
// the pre-release environment from pre-release tags; GitLab's review job
// and its stop job in merge requests only.
func TestDeployJobsPickTheirRefs(t *testing.T) {
	d := Data{App: "shop", Repository: "acme.azurecr.io/shop", Branches: []string{"main", "release/1.x"}, Version: "v1.2.3", PreReleaseEnv: "staging"}
	refs := map[string]struct {
		ref    ref
		envs   []string
		gitlab bool // only GitLab reads the tag this strictly
	}{
		"default branch":   {ref{Branch: "main"}, []string{"dev"}, false},
		"other branch":     {ref{Branch: "release/1.x"}, nil, false},
		"release":          {ref{Tag: "v1.2.3"}, []string{"prod"}, false},
		"release 10":       {ref{Tag: "v10.20.30"}, []string{"prod"}, false},
		"pre-release":      {ref{Tag: "v1.2.3-rc.1"}, []string{"staging"}, false},
		"beta":             {ref{Tag: "v2.0.0-beta"}, []string{"staging"}, false},
		"merge request":    {ref{Branch: "feature", MergeRequest: true}, []string{"review/$CI_COMMIT_REF_SLUG", "review/$CI_COMMIT_REF_SLUG"}, false},
		"not a release":    {ref{Tag: "v2"}, nil, true},
		"not semver":       {ref{Tag: "v1.2"}, nil, true},
		"main in a tag ci": {ref{Branch: "develop"}, nil, false},
	}
	for _, k := range Kinds() {
		b, err := Render(k, d)
		if err != nil {
			t.Fatal(err)
		}
		all := jobs(t, k, b)
		for name, tt := range refs {
			if tt.gitlab && k != GitLab {
				continue
			}
			if tt.ref.MergeRequest && k != GitLab {
				continue // pr: none / push only: pull requests run nothing
			}
			tt.ref.DefaultBranch = "main"
			var envs []string
			for _, j := range all {
				if j.Env != "" && runs(t, k, j, tt.ref) {
					envs = append(envs, j.Env)
				}
			}
			slices.Sort(envs)
			if !slices.Equal(envs, tt.envs) {
				t.Errorf("%s, %s: deploy jobs for environments %v run, want %v", k, name, envs, tt.envs)
			}
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
		{"latest", Data{Version: "latest"}, `onepipe version "latest" is not a release the pipeline can pin: use one such as v1.2.3 (never latest)`},
		{"version with space", Data{Version: "v1 ; rm"}, "onepipe version"},
		{"version without v", Data{Version: "1.2.3"}, "onepipe version"},
		{"version with build metadata", Data{Version: "v1.2.3+dirty"}, "onepipe version"},
		{"command on two lines", Data{Command: "onepipe\nrm -rf /"}, "onepipe command"},
		{"blank command", Data{Command: "  "}, "onepipe command"},
		{"go version", Data{GoVersion: "1.26 .1"}, "Go version"},
		{"engine without scheme", Data{Engine: "dagger-engine:1234"}, `engine "dagger-engine:1234" is not a Dagger runner host`},
		{"engine with shell", Data{Engine: "tcp://x:1234;rm -rf /"}, "not a Dagger runner host"},
		{"engine with CI variable", Data{Engine: "tcp://$(HOST):1234"}, "not a Dagger runner host"},
		{"changes with space", Data{Changes: []string{"src/my app/**"}}, `changes path "src/my app/**"`},
		{"changes with quote", Data{Changes: []string{`src"`}}, "changes path"},
		{"pre-release environment", Data{PreReleaseEnv: "Staging"}, "pre-release environment"},
		{"clusterless environment", Data{NoCluster: []string{"dev", "Prod"}}, `environment "Prod"`},
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

func TestIsModuleVersion(t *testing.T) {
	for v, want := range map[string]bool{
		"v1.2.3": true, "v0.1.0": true, "v1.2.3-rc.1": true, "v0.0.0-20260101000000-abcdef123456": true,
		"latest": false, "1.2.3": false, "v1.2": false, "v1.2.3+dirty": false, "dev": false, "(devel)": false, "": false, "v01.2.3": false,
	} {
		if got := IsModuleVersion(v); got != want {
			t.Errorf("IsModuleVersion(%q) = %v, want %v", v, got, want)
		}
	}
}

// A shim written by a development build pins nothing it could build: its
// build job stops with one line naming ONEPIPE_VERSION.
func TestUnsetVersionStopsTheBuild(t *testing.T) {
	for _, k := range Kinds() {
		b, err := Render(k, Data{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `test "$ONEPIPE_VERSION" != `+UnsetVersion+` || { echo "ONEPIPE_VERSION is not set: write the onepipe release to run (e.g. v1.2.3) into `+FileName(k)) {
			t.Errorf("%s: the build job does not stop on the unset version:\n%s", k, b)
		}
		if b, _ := Render(k, Data{Version: "v1.2.3"}); strings.Contains(string(b), UnsetVersion) {
			t.Errorf("%s: a pinned shim still mentions %s", k, UnsetVersion)
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

// The shims take the dagger CLI from the engine image of the Dagger the SDK
// in go.mod expects; a bump of one without the other would make every CI
// job start a second engine.
func TestDaggerVersionMatchesSDK(t *testing.T) {
	if versions.Dagger != engineconn.CLIVersion {
		t.Errorf("versions.Dagger = %s but the Dagger SDK in go.mod is %s: bump it and run go test ./internal/shim -update", versions.Dagger, engineconn.CLIVersion)
	}
	if !strings.HasSuffix(versions.DaggerEngineImage, ":v"+engineconn.CLIVersion) {
		t.Errorf("versions.DaggerEngineImage = %s is not the engine of the Dagger SDK in go.mod (%s)", versions.DaggerEngineImage, engineconn.CLIVersion)
	}
}

// FuzzRender: whatever a user passes, Render either refuses it or writes YAML
// whose jobs still do what the user asked for.
func FuzzRender(f *testing.F) {
	f.Add("tornado", ".", "", "main", "v1.2.3", "", "", "src/**")
	f.Add("shop", "services/shop", "acme.azurecr.io/shop", "release/1.x", "v1.2.3-rc.1", "/usr/local/bin/onepipe --debug", "tcp://engine:1234", "")
	f.Add("a: b", "x #y", "r'e\"po", "main\n- evil", "v1", "echo ${{ secrets.X }} $(FOO) [[ ]]", "kube-pod://x?a=b&c=d", "a b")
	f.Fuzz(func(t *testing.T, app, source, repo, branch, version, command, engine, changes string) {
		d := Data{App: app, Source: source, Repository: repo, Branches: []string{branch}, Version: version, Command: command, Engine: engine, Changes: []string{changes}}
		for _, k := range Kinds() {
			b, err := Render(k, d)
			if err != nil {
				continue
			}
			checkStructure(t, k, d, b)
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
		var conds []string
		for _, r := range get(t, m, "workflow", "rules").([]any) {
			rule := r.(map[string]any)
			if rule["when"] != "never" {
				conds = append(conds, str(rule["if"]))
			}
		}
		return func(tag string) bool {
			return slices.ContainsFunc(conds, func(c string) bool {
				return evalGitLab(t, c, ref{Tag: tag, DefaultBranch: "main"}.gitlabVars())
			})
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

func TestPushesAndDeploys(t *testing.T) {
	tests := []struct {
		kind            Kind
		d               Data
		pushes, deploys bool
	}{
		{GitLab, Data{}, true, true},
		{GitLab, Data{NoDeploy: true}, true, false},
		{GitLab, Data{Repository: "acme.azurecr.io/shop"}, true, true},
		{Azure, Data{}, false, false},
		{Azure, Data{Repository: "acme.azurecr.io/shop"}, true, true},
		{Azure, Data{Repository: "acme.azurecr.io/shop", NoDeploy: true}, true, false},
		{GitHub, Data{}, false, false},
		{GitHub, Data{Repository: "acme.azurecr.io/shop"}, true, true},
	}
	for _, tt := range tests {
		b, err := Render(tt.kind, tt.d)
		if err != nil {
			t.Fatal(err)
		}
		if got := Pushes(tt.kind, tt.d); got != tt.pushes {
			t.Errorf("Pushes(%s, %+v) = %v, want %v", tt.kind, tt.d, got, tt.pushes)
		}
		if got := Deploys(tt.kind, tt.d); got != tt.deploys {
			t.Errorf("Deploys(%s, %+v) = %v, want %v", tt.kind, tt.d, got, tt.deploys)
		}
		// what the shim really does
		all := jobs(t, tt.kind, b)
		if _, ok := all["publish"]; ok != tt.pushes {
			t.Errorf("%s shim for %+v has a publish job: %v, want %v", tt.kind, tt.d, ok, tt.pushes)
		}
		var deploys bool
		for _, j := range all {
			deploys = deploys || j.Env != ""
		}
		if deploys != tt.deploys {
			t.Errorf("%s shim for %+v deploys: %v, want %v", tt.kind, tt.d, deploys, tt.deploys)
		}
	}
}

// GitLab's workflow:rules decide whether a push makes a pipeline at all:
// the configured branches, v tags and merge requests (a branch with an open
// merge request only once, in the merge request's pipeline), and with
// Changes only when a listed path changed; a tag always.
func TestGitLabWorkflow(t *testing.T) {
	d := Data{App: "shop", Version: "v1.2.3", Branches: []string{"main", "release/1.x"}, Changes: []string{"src/**", "requirements*.txt"}}
	b, err := Render(GitLab, d)
	if err != nil {
		t.Fatal(err)
	}
	type rule struct {
		cond    string
		never   bool
		changes []string
	}
	var rules []rule
	for _, r := range get(t, parse(t, b), "workflow", "rules").([]any) {
		m := r.(map[string]any)
		rl := rule{cond: str(m["if"]), never: m["when"] == "never"}
		if c, ok := m["changes"]; ok {
			rl.changes = strs(c)
		}
		rules = append(rules, rl)
	}
	// pipeline says whether a pipeline starts, and which paths it needs changed
	pipeline := func(vars map[string]string) (bool, []string) {
		for _, r := range rules {
			if evalGitLab(t, r.cond, vars) {
				return !r.never, r.changes
			}
		}
		return false, nil
	}
	tests := []struct {
		name    string
		vars    map[string]string
		runs    bool
		changes bool
	}{
		{"push to main", map[string]string{"CI_COMMIT_BRANCH": "main"}, true, true},
		{"push to release/1.x", map[string]string{"CI_COMMIT_BRANCH": "release/1.x"}, true, true},
		{"push to a feature branch", map[string]string{"CI_COMMIT_BRANCH": "feature"}, false, false},
		{"push to a branch with a merge request", map[string]string{"CI_COMMIT_BRANCH": "main", "CI_OPEN_MERGE_REQUESTS": "acme/shop!7"}, false, false},
		{"merge request", map[string]string{"CI_PIPELINE_SOURCE": "merge_request_event"}, true, true},
		{"release tag", map[string]string{"CI_COMMIT_TAG": "v1.2.3"}, true, false},
		{"other tag", map[string]string{"CI_COMMIT_TAG": "nightly"}, false, false},
	}
	for _, tt := range tests {
		runs, changes := pipeline(tt.vars)
		if runs != tt.runs {
			t.Errorf("%s: a pipeline starts: %v, want %v", tt.name, runs, tt.runs)
		}
		if runs && tt.changes != slices.Equal(changes, d.Changes) || runs && !tt.changes && changes != nil {
			t.Errorf("%s: the pipeline needs changes in %v, want %v", tt.name, changes, tt.changes)
		}
	}
}
