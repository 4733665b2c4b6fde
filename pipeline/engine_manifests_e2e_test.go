package pipeline

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onepipe/onepipe/internal/engine"
)

// TestEngineManifestsE2E renders the shared engine's manifests (the default
// StatefulSet, one with a StorageClass in another namespace, the DaemonSet)
// and has the local cluster's API server check them with a server-side dry
// run: schema, defaulting, validation and admission, nothing stored. A
// manifest broken on purpose must be refused, so the check is a real one.
func TestEngineManifestsE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the local cluster needs the Kubernetes build")
	}
	dag := connectE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	cl, err := NewLocalCluster(dag, "e2e-engine-"+strconv.FormatInt(time.Now().UnixNano(), 36)).Ensure(ctx)
	if err != nil {
		t.Fatalf("local cluster: %v", err)
	}
	dryRun := []string{"kubectl", "apply", "--server-side", "--field-manager=onepipe", "--dry-run=server", "-f", "/engine.yaml"}
	cases := []engine.Options{
		{Namespace: engine.DefaultNamespace, Name: engine.DefaultName, Kind: engine.StatefulSet, Storage: engine.DefaultStorage},
		{Namespace: "ci-engines", Name: "builds", Kind: engine.StatefulSet, Storage: "500Gi", StorageClass: "premium-rwo"},
		{Namespace: "dagger-nodes", Name: "dagger-engine", Kind: engine.DaemonSet},
	}
	for _, o := range cases {
		t.Run(string(o.Kind)+"-"+o.Namespace, func(t *testing.T) {
			rendered, err := engine.Render(o)
			if err != nil {
				t.Fatal(err)
			}
			// A dry run stores nothing, so the objects in the namespace would
			// find no namespace: create it for real first.
			if _, err := cl.Exec(ctx, cl.Kubectl(), []string{"kubectl", "create", "namespace", o.Namespace}); err != nil {
				t.Fatalf("create namespace %s: %v", o.Namespace, err)
			}
			out, err := cl.Exec(ctx, cl.Kubectl().WithNewFile("/engine.yaml", string(rendered)), dryRun)
			if err != nil {
				t.Fatalf("server-side dry run refused the manifests: %v\n%s", err, rendered)
			}
			workload := map[engine.Kind]string{engine.StatefulSet: "statefulset.apps/", engine.DaemonSet: "daemonset.apps/"}[o.Kind] + o.Name
			for _, want := range []string{"namespace/" + o.Namespace, "role.rbac.authorization.k8s.io/" + o.ClientRole(), workload} {
				if !strings.Contains(out, want+" serverside-applied (server dry run)") {
					t.Errorf("dry run did not apply %s:\n%s", want, out)
				}
			}
			// The dry run stored nothing.
			got, err := cl.Exec(ctx, cl.Kubectl(), []string{"kubectl", "get", "statefulsets,daemonsets,roles", "-n", o.Namespace, "-o", "name"})
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(got) != "" {
				t.Errorf("the dry run left objects behind: %q", got)
			}
		})
	}

	t.Run("broken manifests are refused", func(t *testing.T) {
		rendered, err := engine.Render(cases[0])
		if err != nil {
			t.Fatal(err)
		}
		broken := strings.Replace(string(rendered), "storage: 100Gi", "storage: lots", 1)
		if broken == string(rendered) {
			t.Fatal("the manifests have no volume size to break")
		}
		_, err = cl.Exec(ctx, cl.Kubectl().WithNewFile("/engine.yaml", broken), dryRun)
		if err == nil || !strings.Contains(err.Error(), "quantities must match") {
			t.Errorf("a volume of size \"lots\" passed the dry run: %v", err)
		}
	})
}
