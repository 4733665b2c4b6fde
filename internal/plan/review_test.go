package plan

import (
	"strings"
	"testing"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/pipeline"
)

func TestReviewEnvironment(t *testing.T) {
	long := strings.Repeat("a", 60)
	tests := []struct {
		name      string
		env       config.Environment
		review    string
		namespace string
		host      string
		err       string
	}{
		{"merge request", config.Environment{Namespace: "tornado-dev"}, "mr-7", "tornado-dev-mr-7", "", ""},
		{"ref slug", config.Environment{Namespace: "flask-dev", Host: "conduit.dev.example.com"}, "feature-login", "flask-dev-feature-login", "feature-login.conduit.dev.example.com", ""},
		{"own namespace", config.Environment{Namespace: "shop"}, "42", "shop-42", "", ""},
		{"exactly 63", config.Environment{Namespace: "tornado-dev"}, strings.Repeat("b", 51), "tornado-dev-" + strings.Repeat("b", 51), "", ""},
		{"too long is cut with a hash", config.Environment{Namespace: "tornado-dev"}, long, "tornado-dev-" + strings.Repeat("a", 42) + "-", "", ""},
		{"uppercase", config.Environment{Namespace: "x"}, "MR-7", "", "", `--review "MR-7": use lowercase letters, digits and dashes`},
		{"slash", config.Environment{Namespace: "x"}, "feature/login", "", "", "$CI_COMMIT_REF_SLUG"},
		{"leading dash", config.Environment{Namespace: "x"}, "-7", "", "", `--review "-7"`},
		{"trailing dash", config.Environment{Namespace: "x"}, "mr-", "", "", `--review "mr-"`},
		{"64 characters", config.Environment{Namespace: "x"}, strings.Repeat("c", 64), "", "", "at most 63"},
		{"host too long", config.Environment{Namespace: "x", Host: strings.Repeat("h.", 100) + "example.com"}, strings.Repeat("d", 63), "", "", "longer than 253 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReviewEnvironment(tt.env, tt.review)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got.Namespace, tt.namespace) || len(got.Namespace) > 63 {
				t.Errorf("namespace = %q (%d characters), want %q", got.Namespace, len(got.Namespace), tt.namespace)
			}
			if !reviewName.MatchString(got.Namespace) {
				t.Errorf("namespace %q is not a DNS label", got.Namespace)
			}
			if got.Host != tt.host {
				t.Errorf("host = %q, want %q", got.Host, tt.host)
			}
		})
	}
}

// Two long review names that share their first characters still get two
// namespaces.
func TestReviewNamespacesStayApart(t *testing.T) {
	a := reviewNamespace("tornado-dev", strings.Repeat("x", 55)+"-one")
	b := reviewNamespace("tornado-dev", strings.Repeat("x", 55)+"-two")
	if a == b || len(a) != 63 || len(b) != 63 {
		t.Errorf("namespaces %q and %q: want two different names of 63 characters", a, b)
	}
}

// A deploy with Review goes to the review namespace: the plan's environment,
// the target's manifests and what onepipe plan prints; the app is unchanged.
func TestResolveReviewDeploy(t *testing.T) {
	vars := map[string]string{"CONDUIT_SECRET_KEY": "k", "CONDUIT_DB_PASSWORD": "p"}
	app, err := Load(Source{Dir: example(t, "flask")}, "")
	if err != nil {
		t.Fatal(err)
	}
	in := Inputs{Ref: Ref{SHA: strings.Repeat("a", 40)}, Publish: &Publish{}, Deploy: &Deploy{Cluster: "local", Review: "mr-7"}}
	p, err := Resolve(app, in, env(vars))
	if err != nil {
		t.Fatal(err)
	}
	if p.EnvName != "dev" || p.Env.Namespace != "flask-dev-mr-7" || p.Env.Host != "mr-7.conduit.dev.example.com" {
		t.Errorf("environment %s: namespace %s, host %s", p.EnvName, p.Env.Namespace, p.Env.Host)
	}
	var b strings.Builder
	p.Print(&b)
	for _, w := range []string{"dev (namespace flask-dev-mr-7)", "to namespace flask-dev-mr-7", "apply namespace flask-dev-mr-7"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("plan lacks %q:\n%s", w, b.String())
		}
	}
	if strings.Contains(b.String(), "namespace flask-dev ") || strings.Contains(b.String(), "namespace flask-dev\n") {
		t.Errorf("plan still deploys to flask-dev:\n%s", b.String())
	}
	if ns := app.Config.Environments["dev"].Namespace; ns != "flask-dev" {
		t.Errorf("the app's dev namespace became %s", ns)
	}

	// --review alone means a deploy
	only := Inputs{Ref: Ref{SHA: strings.Repeat("a", 40)}, Publish: &Publish{}, Deploy: &Deploy{Review: "mr-7"}}
	if p, err := Resolve(app, only, env(vars)); err != nil || p.Deploy == nil {
		t.Errorf("--review without --deploy: deploy %v, error %v", p != nil && p.Deploy != nil, err)
	}

	bad := Inputs{Ref: Ref{SHA: strings.Repeat("a", 40)}, Publish: &Publish{}, Deploy: &Deploy{Cluster: "local", Review: "Feature/X"}}
	if _, err := Resolve(app, bad, env(vars)); err == nil || !strings.Contains(err.Error(), `--review "Feature/X"`) {
		t.Errorf("bad review name: error %v", err)
	}
}

func TestDown(t *testing.T) {
	app, err := Load(Source{Dir: example(t, "flask")}, "")
	if err != nil {
		t.Fatal(err)
	}
	vars := env(map[string]string{"KUBECONFIG_DATA": testKubeconfig})
	tests := []struct {
		name           string
		env            string
		deploy         Deploy
		allowProtected bool
		namespace      string
		provider       string
		err            string
	}{
		{"dev", "dev", Deploy{}, false, "flask-dev", "local", ""},
		{"review of dev", "dev", Deploy{Review: "mr-7"}, false, "flask-dev-mr-7", "local", ""},
		{"existing cluster", "dev", Deploy{Kubeconfig: "env:KUBECONFIG_DATA", Review: "mr-7"}, false, "flask-dev-mr-7", "existing", ""},
		{"prod is protected", "prod", Deploy{}, false, "", "", "environment prod is protected: pass --allow-protected to delete its namespace flask-prod"},
		{"prod with --allow-protected", "prod", Deploy{Kubeconfig: "env:KUBECONFIG_DATA"}, true, "flask-prod", "existing", ""},
		{"review of prod", "prod", Deploy{Kubeconfig: "env:KUBECONFIG_DATA", Review: "rc"}, false, "flask-prod-rc", "existing", ""},
		{"unknown environment", "staging", Deploy{}, false, "", "", `unknown environment "staging"`},
		{"bad review", "dev", Deploy{Review: "MR 7"}, false, "", "", `--review "MR 7"`},
		{"missing kubeconfig", "dev", Deploy{Kubeconfig: "env:NOPE"}, false, "", "", "NOPE"},
		{"bad cluster", "dev", Deploy{Cluster: "minikube"}, false, "", "", `--cluster "minikube"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td, err := app.Down(tt.env, tt.deploy, tt.allowProtected, vars)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if td.Namespace != tt.namespace || td.Provider != tt.provider || td.Cluster == nil {
				t.Errorf("down %s: namespace %s on %s, want %s on %s", tt.env, td.Namespace, td.Provider, tt.namespace, tt.provider)
			}
			args := strings.Join(td.DeleteArgs(DefaultDownTimeout), " ")
			if args != "kubectl delete namespace "+tt.namespace+" --ignore-not-found --wait=true --timeout=5m0s" {
				t.Errorf("delete command = %s", args)
			}
			if lines := strings.Join(td.Plan(DefaultDownTimeout), "\n"); !strings.Contains(lines, "delete namespace "+tt.namespace) {
				t.Errorf("plan lacks the namespace:\n%s", lines)
			}
		})
	}
}

// down never deletes a namespace of the cluster's own, whatever
// onepipe.yaml says.
func TestDownRefusesClusterNamespaces(t *testing.T) {
	for _, ns := range clusterNamespaces {
		files := mapFS(t, example(t, "tornado"))
		files["onepipe.yaml"].Data = []byte("app: tornado\nenvironments:\n  dev:\n    namespace: " + ns + "\n")
		app, err := Load(Source{FS: files, Name: "tornado"}, "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = app.Down("dev", Deploy{}, true, env(nil))
		if err == nil || !strings.Contains(err.Error(), "namespace "+ns+" of environment dev belongs to the cluster") {
			t.Errorf("namespace %s: error %v", ns, err)
		}
		// a review environment of it has a namespace of its own
		if td, err := app.Down("dev", Deploy{Review: "mr-1"}, false, env(nil)); err != nil || td.Namespace != ns+"-mr-1" {
			t.Errorf("review of %s: %v, %v", ns, td, err)
		}
	}
}

// An environment on no cluster (a Docker host) has no review environments:
// one would replace the environment itself.
func TestReviewNeedsACluster(t *testing.T) {
	app, err := Load(Source{Dir: example(t, "tornado")}, "")
	if err != nil {
		t.Fatal(err)
	}
	var box string
	for _, name := range app.Config.EnvironmentNames() {
		if !pipeline.TargetUsesCluster(app.Config, name) {
			box = name
		}
	}
	if box == "" {
		t.Skip("no example environment deploys without a cluster")
	}
	vars := map[string]string{"BOX_SSH_KEY": "k", "BOX_KNOWN_HOSTS": "h"}
	in := Inputs{Ref: Ref{SHA: strings.Repeat("a", 40), Env: box}, Publish: &Publish{Repository: "registry.example.com/tornado"}, Deploy: &Deploy{Review: "mr-7"}}
	_, err = Resolve(app, in, env(vars))
	if err == nil || !strings.Contains(err.Error(), "--review mr-7: environment "+box+" deploys to") || !strings.Contains(err.Error(), "drop --review") {
		t.Errorf("review of %s: error %v", box, err)
	}
	if _, err := app.Down(box, Deploy{}, false, env(vars)); err == nil || !strings.Contains(err.Error(), "environment "+box+" deploys to docker, not to a Kubernetes cluster: onepipe down deletes Kubernetes namespaces only") {
		t.Errorf("down %s: error %v", box, err)
	}
}
