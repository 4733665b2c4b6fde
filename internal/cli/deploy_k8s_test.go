package cli

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// flaskEnv is a branch build with the Flask example's secrets set.
func flaskEnv(extra map[string]string) map[string]string {
	env := maps.Clone(azureBranch)
	env["CONDUIT_SECRET_KEY"] = testSecret
	env["CONDUIT_DB_PASSWORD"] = testSecret + "-db"
	maps.Copy(env, extra)
	return env
}

// flaskCopy copies the Flask example to a temporary folder and applies
// edit (file → new content; "" deletes it).
func flaskCopy(t *testing.T, edit map[string]string) string {
	t.Helper()
	src, dst := exampleDir(t, "flask"), t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range edit {
		p := filepath.Join(dst, name)
		if content == "" {
			os.Remove(p)
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestPlanDeploysToLocalCluster(t *testing.T) {
	r := run(t, flaskEnv(nil), "plan", "--source", exampleDir(t, "flask"), "--env", "dev", "--cluster", "local")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	want := []string{
		"stages:      test, lint, pack linux/amd64, cluster (beside the checks), deploy",
		`cluster: local cluster "local" run by the engine`,
		"deploy: onepipe.local/flask:01234567 to namespace flask-dev (timeout 5m0s per wait)",
		"1. record the current revision of deployment/flask",
		"check every manifest with a server-side dry run",
		"apply secret/flask-secrets",
		"wait for migration job/flask-migrate-",
		"wait for the rollout of deployment/flask",
		"read the address of ingress/flask",
		"run the smoke checks",
	}
	for _, w := range want {
		if !strings.Contains(r.out, w) {
			t.Errorf("plan lacks %q:\n%s", w, r.out)
		}
	}
	// the dependency order: secrets, database, migration, app, exposure
	order := []string{"apply secret/", "apply the database", "apply the migration", "apply the app", "apply Services", "apply Ingresses", "run the smoke checks"}
	last := -1
	for _, step := range order {
		i := strings.Index(r.out, step)
		if i < last {
			t.Errorf("%q comes before an earlier phase:\n%s", step, r.out)
		}
		last = i
	}
	if strings.Contains(r.out+r.err, testSecret) {
		t.Errorf("a secret value was printed:\n%s%s", r.out, r.err)
	}
}

func TestPlanDeploysWhatIsPushed(t *testing.T) {
	r := run(t, flaskEnv(nil), "plan", "--source", exampleDir(t, "flask"), "--deploy", "--publish", "127.0.0.1:5000/acme/flask")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if !strings.Contains(r.out, "deploy: 127.0.0.1:5000/acme/flask:01234567 to namespace flask-dev") {
		t.Errorf("plan does not deploy the pushed image:\n%s", r.out)
	}
}

func TestPlanExistingCluster(t *testing.T) {
	env := flaskEnv(map[string]string{"KUBECONFIG_DATA": "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://10.0.0.1:6443'}}]\n" +
		"users: [{name: u, user: {token: " + testSecret + "}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n"})
	r := run(t, env, "plan", "--source", exampleDir(t, "flask"), "--kubeconfig", "env:KUBECONFIG_DATA", "--publish", "r.example.com/flask")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if !strings.Contains(r.out, "cluster: existing cluster, kubeconfig from env:KUBECONFIG_DATA") {
		t.Errorf("plan:\n%s", r.out)
	}
	if strings.Contains(r.out+r.err, testSecret) {
		t.Errorf("the kubeconfig was printed:\n%s%s", r.out, r.err)
	}
}

func TestDeployBadInput(t *testing.T) {
	brokenYAML := flaskCopy(t, map[string]string{"deploy/k8s/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  ports: [\n"})
	missingValue := flaskCopy(t, map[string]string{"deploy/k8s/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Nope }}\n"})
	noManifests := flaskCopy(t, map[string]string{"deploy/k8s/app.yaml": "", "deploy/k8s/ingress.yaml": "", "deploy/k8s/migration.yaml": "",
		"deploy/k8s/namespace.yaml": "", "deploy/k8s/postgres.yaml": "", "deploy/k8s/service.yaml": ""})
	os.Remove(filepath.Join(noManifests, "deploy", "k8s"))
	badSmokeEnv := flaskCopy(t, map[string]string{"onepipe.yaml": "app: flask\ndeploy:\n  smokeEnv:\n    BAD-NAME: x\n"})
	src := exampleDir(t, "flask")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"broken manifest YAML names file and line", flaskEnv(nil), []string{"plan", "--source", brokenYAML, "--deploy"}, "service.yaml: rendered line 6: invalid YAML"},
		{"template names a missing value", flaskEnv(nil), []string{"plan", "--source", missingValue, "--deploy"}, "service.yaml: line 4"},
		{"no manifests folder", flaskEnv(nil), []string{"plan", "--source", noManifests, "--deploy"}, "deploy/k8s: not found"},
		{"no Dockerfile", flaskEnv(nil), []string{"plan", "--source", flaskCopy(t, map[string]string{"Dockerfile": ""}), "--deploy"}, "Dockerfile not found"},
		{"unknown cluster kind", flaskEnv(nil), []string{"plan", "--source", src, "--cluster", "minikube"}, `--cluster "minikube": use aks, existing, kops or local`},
		{"--cluster local with --kubeconfig", flaskEnv(map[string]string{"KC": "x"}), []string{"plan", "--source", src, "--cluster", "local", "--kubeconfig", "env:KC"}, "--kubeconfig reaches an existing cluster: it cannot be used with --cluster local"},
		{"a kubeconfig that is not one", flaskEnv(map[string]string{"KC": "SECRET_KEY=" + testSecret}), []string{"plan", "--source", src, "--kubeconfig", "env:KC", "--publish", "r.example.com/flask"}, "kubeconfig from env:KC: is not a kubeconfig"},
		{"app secret unset", azureBranch, []string{"plan", "--source", src, "--deploy"}, "env:CONDUIT_"},
		{"kubeconfig unset", flaskEnv(nil), []string{"plan", "--source", src, "--kubeconfig", "env:NOPE", "--publish", "r.example.com/flask"}, "secret env:NOPE is not set"},
		{"remote cluster without a pushed image", flaskEnv(map[string]string{"KC": "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://10.0.0.1:6443'}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n"}), []string{"plan", "--source", src, "--kubeconfig", "env:KC"}, "deploy to the existing cluster needs a pushed image: add --publish"},
		{"prod needs a release", flaskEnv(nil), []string{"plan", "--source", src, "--deploy", "--env", "prod"}, `environment "prod" is protected`},
		{"bad smokeEnv", flaskEnv(nil), []string{"plan", "--source", badSmokeEnv, "--deploy"}, `deploy.smokeEnv: "BAD-NAME"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.env, tt.args...)
			if r.code != ExitUsage {
				t.Fatalf("exit %d, want %d; stderr: %s", r.code, ExitUsage, r.err)
			}
			if !strings.Contains(r.err, tt.want) {
				t.Errorf("stderr %q lacks %q", r.err, tt.want)
			}
			if lines := strings.Split(strings.TrimSpace(r.err), "\n"); len(lines) != 1 {
				t.Errorf("want one line, got %q", r.err)
			}
			if strings.Contains(r.err, testSecret) {
				t.Errorf("stderr leaks a secret: %q", r.err)
			}
		})
	}
}

func TestPlanKopsAndAKSClusters(t *testing.T) {
	release := map[string]string{"GOOGLE_CREDENTIALS_JSON": `{"type": "service_account", "private_key": "` + testSecret + `"}`}
	r := run(t, flaskEnv(release), "plan", "--source", exampleDir(t, "flask"), "--tag", "v1.2.3", "--deploy", "--publish", "r.example.com/acme/flask")
	if r.code != 0 {
		t.Fatalf("kops: exit %d: %s", r.code, r.err)
	}
	for _, w := range []string{
		"environment: prod (namespace flask-prod)",
		"cluster: kops",
		"cluster conduit.k8s.local in state store gs://acme-kops-state: use it if it exists",
		"otherwise create it on GCE project acme-prod, zones europe-west1-b: 2 × e2-standard-2 nodes",
		"deploy: r.example.com/acme/flask:v1.2.3 to namespace flask-prod",
	} {
		if !strings.Contains(r.out, w) {
			t.Errorf("kops plan lacks %q:\n%s", w, r.out)
		}
	}
	if strings.Contains(r.out+r.err, testSecret) {
		t.Errorf("the GCP key was printed")
	}
	r = run(t, flaskEnv(nil), "plan", "--source", exampleDir(t, "flask"), "--tag", "v1.2.3", "--deploy", "--publish", "r.example.com/acme/flask")
	if r.code != ExitUsage || !strings.Contains(r.err, "env:GOOGLE_CREDENTIALS_JSON is not set") {
		t.Errorf("kops without credentials: exit %d, %q", r.code, r.err)
	}

	aks := flaskCopy(t, map[string]string{"onepipe.yaml": `app: flask
azure: {tenantId: t-1, clientId: c-1, clientSecret: env:AZURE_SECRET, subscriptionId: sub-1}
environments:
  dev:
    secrets: {SECRET_KEY: env:CONDUIT_SECRET_KEY, POSTGRES_PASSWORD: env:CONDUIT_DB_PASSWORD}
    cluster: {provider: aks, name: conduit-dev, aks: {resourceGroup: rg-conduit, location: westeurope}}
`})
	env := flaskEnv(map[string]string{"AZURE_SECRET": testSecret})
	r = run(t, env, "plan", "--source", aks, "--deploy", "--publish", "acme.azurecr.io/flask")
	if r.code != 0 {
		t.Fatalf("aks: exit %d: %s", r.code, r.err)
	}
	for _, w := range []string{"cluster: aks", "aks cluster conduit-dev in resource group rg-conduit (subscription sub-1)", "otherwise create resource group rg-conduit in westeurope"} {
		if !strings.Contains(r.out, w) {
			t.Errorf("aks plan lacks %q:\n%s", w, r.out)
		}
	}
	if strings.Contains(r.out+r.err, testSecret) {
		t.Errorf("the client secret was printed")
	}
	r = run(t, flaskEnv(nil), "plan", "--source", aks, "--deploy", "--publish", "acme.azurecr.io/flask")
	if r.code != ExitUsage || !strings.Contains(r.err, "env:AZURE_SECRET is not set") {
		t.Errorf("aks without the client secret: exit %d, %q", r.code, r.err)
	}
}

func TestKubectlBadInput(t *testing.T) {
	src := exampleDir(t, "flask")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"kubectl", "--source", src, "--env", "staging", "--", "get", "pods"}, `unknown environment "staging": use one of dev, prod`},
		{[]string{"kubectl", "--source", src, "--env", "prod", "--", "get", "pods"}, "secret env:GOOGLE_CREDENTIALS_JSON is not set"},
		{[]string{"kubectl", "--source", src, "--kubeconfig", "env:NOPE", "--", "get", "pods"}, "secret env:NOPE is not set"},
		{[]string{"kubectl", "--source", src, "--cluster", "minikube", "--", "get", "pods"}, `--cluster "minikube": use aks, existing, kops or local`},
		{[]string{"kubectl", "--source", src}, "requires at least 1 arg"},
	}
	for _, tt := range tests {
		r := run(t, nil, tt.args...)
		if r.code != ExitUsage || !strings.Contains(r.err, tt.want) {
			t.Errorf("onepipe %v: exit %d, stderr %q; want exit 2 and %q", tt.args, r.code, r.err, tt.want)
		}
	}
}
